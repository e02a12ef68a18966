package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const rebootWait = 180 * time.Second

// maintenanceChecks: a reboot without force outside maintenance mode is refused (InvalidState) and
// the host keeps running; maintenance mode is host state (runtime.inMaintenanceMode), entered and left
// through tasks; a reboot in maintenance mode ends the session, the host comes back with a new
// bootTime and still in maintenance mode.
func maintenanceChecks(b *Battery, reboot bool) {
	var bootBefore time.Time

	b.check("host.reboot_outside_maintenance_invalid_state", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		rt, err := runtime(b)
		if err != nil {
			return "", err
		}
		if rt.InMaintenanceMode || rt.BootTime == nil {
			return "", fmt.Errorf("before: inMaintenanceMode %v bootTime %v", rt.InMaintenanceMode, rt.BootTime)
		}
		bootBefore = *rt.BootTime
		ctx, cancel := b.timed()
		defer cancel()
		_, err = methods.RebootHost_Task(ctx, b.client.Client, &types.RebootHost_Task{This: b.host.Reference(), Force: false})
		detail, ferr := expectFault(err, "InvalidState")
		if ferr != nil {
			return "", ferr
		}
		time.Sleep(300 * time.Millisecond)
		after, err := runtime(b)
		if err != nil {
			return "", fmt.Errorf("the host did not stay up: %v", err)
		}
		if after.BootTime == nil || !after.BootTime.Equal(bootBefore) {
			return "", fmt.Errorf("bootTime changed from %v to %v: the host rebooted", bootBefore, after.BootTime)
		}
		return detail + "; bootTime unchanged", nil
	})

	b.check("host.enter_maintenance_mode", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		return setMaintenance(b, true)
	})

	if reboot {
		b.check("host.reboot_in_maintenance_mode", func() (string, error) {
			if err := needs("the host in maintenance mode", b.host != nil && !bootBefore.IsZero()); err != nil {
				return "", err
			}
			return rebootAndReturn(b, bootBefore)
		})
	}

	b.check("host.exit_maintenance_mode", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		return setMaintenance(b, false)
	})
}

func runtime(b *Battery) (*types.HostRuntimeInfo, error) {
	ctx, cancel := b.timed()
	defer cancel()
	var host mo.HostSystem
	if err := b.host.Properties(ctx, b.host.Reference(), []string{"runtime"}, &host); err != nil {
		return nil, err
	}
	return &host.Runtime, nil
}

func setMaintenance(b *Battery, enter bool) (string, error) {
	ctx, cancel := b.timed()
	defer cancel()
	var task *object.Task
	var err error
	if enter {
		task, err = b.host.EnterMaintenanceMode(ctx, 0, false, nil)
	} else {
		task, err = b.host.ExitMaintenanceMode(ctx, 0)
	}
	if err != nil {
		return "", err
	}
	if err := task.Wait(ctx); err != nil {
		return "", fmt.Errorf("task %s: %v", task.Reference().Value, err)
	}
	rt, err := runtime(b)
	if err != nil {
		return "", err
	}
	if rt.InMaintenanceMode != enter {
		return "", fmt.Errorf("after the task runtime.inMaintenanceMode is %v", rt.InMaintenanceMode)
	}
	return fmt.Sprintf("task %s succeeded; runtime.inMaintenanceMode %v", task.Reference().Value, enter), nil
}

// rebootAndReturn reboots the host (in maintenance mode, no force), waits for it to accept a login
// again, and rebinds the battery's objects to the new session.
func rebootAndReturn(b *Battery, bootBefore time.Time) (string, error) {
	ctx, cancel := b.timed()
	_, err := methods.RebootHost_Task(ctx, b.client.Client, &types.RebootHost_Task{This: b.host.Reference(), Force: false})
	cancel()
	if err != nil {
		return "", err
	}
	started := time.Now()
	deadline := started.Add(rebootWait)
	for {
		client, err := b.login(b.password)
		if err == nil {
			rt, rerr := rebind(b, client)
			if rerr == nil && rt.BootTime != nil && rt.BootTime.After(bootBefore) {
				if !rt.InMaintenanceMode {
					return "", errors.New("the host came back out of maintenance mode")
				}
				return fmt.Sprintf("back after %.1f s with a new bootTime, still in maintenance mode",
					time.Since(started).Seconds()), nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no new bootTime within %v (last error %v)", rebootWait, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func rebind(b *Battery, c *govmomi.Client) (*types.HostRuntimeInfo, error) {
	b.client = c
	b.host = object.NewHostSystem(c.Client, b.host.Reference())
	if b.network != nil {
		b.network = object.NewHostNetworkSystem(c.Client, b.network.Reference())
	}
	if b.vnics != nil {
		b.vnics = object.NewHostVirtualNicManager(c.Client, b.vnics.Reference(), b.host.Reference())
	}
	return runtime(b)
}
