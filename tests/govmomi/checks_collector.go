package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// collectorChecks: single references typed in property values, a container view, session collectors
// created and destroyed, CreateFilter's check of property paths, WaitForUpdates that sees a change,
// and CancelWaitForUpdates.
func collectorChecks(b *Battery) {
	b.check("collector.single_references_typed", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		var host mo.HostSystem
		err := b.client.RetrieveOne(ctx, b.host.Reference(), []string{"parent", "configManager.networkSystem"}, &host)
		if err != nil {
			return "", err
		}
		if host.Parent == nil || host.ConfigManager.NetworkSystem == nil {
			return "", fmt.Errorf("parent %v, configManager.networkSystem %v: a reference read as nil",
				host.Parent, host.ConfigManager.NetworkSystem)
		}
		return fmt.Sprintf("parent %s, networkSystem %s", host.Parent.Value, host.ConfigManager.NetworkSystem.Value), nil
	})

	b.check("collector.container_view_hosts", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		m := view.NewManager(b.client.Client)
		v, err := m.CreateContainerView(ctx, b.client.ServiceContent.RootFolder, []string{"HostSystem"}, true)
		if err != nil {
			return "", err
		}
		defer func() { _ = v.Destroy(ctx) }()
		var hosts []mo.HostSystem
		if err := v.Retrieve(ctx, []string{"HostSystem"}, []string{"name", "runtime.inMaintenanceMode"}, &hosts); err != nil {
			return "", err
		}
		if len(hosts) != 1 || hosts[0].Reference() != b.host.Reference() {
			return "", fmt.Errorf("the view lists %d hosts: %v", len(hosts), hosts)
		}
		return "one host: " + hosts[0].Name, nil
	})

	b.check("collector.create_destroy", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		pc, err := property.DefaultCollector(b.client.Client).Create(ctx)
		if err != nil {
			return "", err
		}
		ref := pc.Reference()
		var host mo.HostSystem
		if err := pc.RetrieveOne(ctx, b.host.Reference(), []string{"name"}, &host); err != nil {
			return "", fmt.Errorf("retrieve through the new collector: %v", err)
		}
		if err := pc.Destroy(ctx); err != nil {
			return "", err
		}
		_, err = methods.RetrieveProperties(ctx, b.client.Client, &types.RetrieveProperties{
			This:    ref,
			SpecSet: []types.PropertyFilterSpec{hostSpec(b, "name")},
		})
		if _, ferr := expectFault(err, "ManagedObjectNotFound"); ferr != nil {
			return "", fmt.Errorf("the destroyed collector %s: %v", ref.Value, ferr)
		}
		return fmt.Sprintf("%s read %q, destroyed, then ManagedObjectNotFound", ref.Value, host.Name), nil
	})

	b.check("collector.create_filter_invalid_property", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		pc, err := property.DefaultCollector(b.client.Client).Create(ctx)
		if err != nil {
			return "", err
		}
		defer func() { _ = pc.Destroy(ctx) }()
		err = pc.CreateFilter(ctx, types.CreateFilter{Spec: hostSpec(b, "config.noSuchProperty")})
		return expectFault(err, "InvalidProperty")
	})

	b.check("collector.wait_for_updates_sees_change", func() (string, error) {
		if err := needs("the battery's vSwitch", b.vswitch != ""); err != nil {
			return "", err
		}
		return waitSeesMtuChange(b)
	})

	b.check("collector.cancel_wait_for_updates", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		return cancelWait(b)
	})
}

func hostSpec(b *Battery, paths ...string) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: b.host.Reference()}},
		PropSet:   []types.PropertySpec{{Type: "HostSystem", PathSet: paths}},
	}
}

// waitSeesMtuChange: a filter on the network system's vSwitches; the first wait returns them, then an
// MTU change made through UpdateVirtualSwitch comes back as a modify of networkInfo.vswitch.
func waitSeesMtuChange(b *Battery) (string, error) {
	ctx, cancel := b.timed()
	defer cancel()
	pc, err := property.DefaultCollector(b.client.Client).Create(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = pc.Destroy(ctx) }()
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: b.network.Reference()}},
		PropSet:   []types.PropertySpec{{Type: "HostNetworkSystem", PathSet: []string{"networkInfo.vswitch"}}},
	}
	if err := pc.CreateFilter(ctx, types.CreateFilter{Spec: spec}); err != nil {
		return "", err
	}
	first, err := pc.WaitForUpdates(ctx, "")
	if err != nil {
		return "", err
	}
	if first == nil || len(first.FilterSet) != 1 {
		return "", fmt.Errorf("the first wait returned %+v", first)
	}
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	vsSpec := findVswitch(info, b.vswitch).Spec
	vsSpec.Mtu = 9000
	if err := b.network.UpdateVirtualSwitch(ctx, b.vswitch, vsSpec); err != nil {
		return "", err
	}
	next, err := pc.WaitForUpdates(ctx, first.Version)
	if err != nil {
		return "", err
	}
	for _, fs := range next.FilterSet {
		for _, ou := range fs.ObjectSet {
			for _, change := range ou.ChangeSet {
				switches, ok := change.Val.(types.ArrayOfHostVirtualSwitch)
				if !ok {
					continue
				}
				for _, vs := range switches.HostVirtualSwitch {
					if vs.Name == b.vswitch && vs.Mtu == 9000 {
						return fmt.Sprintf("version %s -> %s: %s %s mtu 9000", first.Version, next.Version, ou.Kind, change.Name), nil
					}
				}
			}
		}
	}
	return "", fmt.Errorf("the update after the MTU change did not show it: %+v", next)
}

// cancelWait: a WaitForUpdates with nothing to report blocks until CancelWaitForUpdates, then fails
// with RequestCanceled.
func cancelWait(b *Battery) (string, error) {
	ctx, cancel := b.timed()
	defer cancel()
	pc, err := property.DefaultCollector(b.client.Client).Create(ctx)
	if err != nil {
		return "", err
	}
	defer func() { _ = pc.Destroy(ctx) }()
	if err := pc.CreateFilter(ctx, types.CreateFilter{Spec: hostSpec(b, "name")}); err != nil {
		return "", err
	}
	first, err := pc.WaitForUpdates(ctx, "")
	if err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() {
		_, werr := pc.WaitForUpdates(ctx, first.Version)
		done <- werr
	}()
	select {
	case werr := <-done:
		return "", fmt.Errorf("the wait returned before the cancel: %v", werr)
	case <-time.After(500 * time.Millisecond):
	}
	started := time.Now()
	if err := pc.CancelWaitForUpdates(ctx); err != nil {
		return "", err
	}
	select {
	case werr := <-done:
		if _, ferr := expectFault(werr, "RequestCanceled"); ferr != nil {
			return "", ferr
		}
		return fmt.Sprintf("the blocked wait ended with RequestCanceled %.0f ms after the cancel", time.Since(started).Seconds()*1000), nil
	case <-time.After(10 * time.Second):
		return "", errors.New("the wait did not end within 10 s of CancelWaitForUpdates")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
