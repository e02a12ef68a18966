package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25/types"
)

// vswitchChecks: a vSwitch added with MTU 9000 and one uplink, its MTU changed with a full spec, and
// the faults for a duplicate name, an uplink in use and a missing vSwitch.
func vswitchChecks(b *Battery) {
	b.check("vswitch.add_mtu_read_back", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		info, err := b.networkInfo()
		if err != nil {
			return "", err
		}
		b.freeNic = freeNic(info)
		for _, v := range info.Vnic {
			if b.mgmtVmk == "" && v.Spec.Ip != nil && v.Spec.Ip.IpAddress != "" {
				b.mgmtVmk, b.mgmtIP = v.Device, v.Spec.Ip.IpAddress
			}
		}
		name := b.prefix + "-vs"
		ctx, cancel := b.timed()
		defer cancel()
		spec := types.HostVirtualSwitchSpec{NumPorts: 128, Mtu: 9000}
		if b.freeNic != "" {
			spec.Bridge = &types.HostVirtualSwitchBondBridge{NicDevice: []string{b.freeNic}}
		}
		if err := b.network.AddVirtualSwitch(ctx, name, &spec); err != nil {
			return "", err
		}
		b.vswitch = name // the checks that need only a vSwitch run even when what follows fails
		if b.freeNic == "" {
			return "", fmt.Errorf("networkInfo lists %d physical NICs, none free of vSwitches: added %s without an uplink", len(info.Pnic), name)
		}
		return readVswitch(b, 9000)
	})

	b.check("vswitch.update_mtu_read_back", func() (string, error) {
		if err := needs("the battery's vSwitch with an uplink", b.vswitch != "" && b.freeNic != ""); err != nil {
			return "", err
		}
		info, err := b.networkInfo()
		if err != nil {
			return "", err
		}
		vs := findVswitch(info, b.vswitch)
		spec := vs.Spec
		spec.Mtu = 1600
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.network.UpdateVirtualSwitch(ctx, b.vswitch, spec); err != nil {
			return "", err
		}
		return readVswitch(b, 1600)
	})

	b.check("vswitch.duplicate_already_exists", func() (string, error) {
		if err := needs("the battery's vSwitch", b.vswitch != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		err := b.network.AddVirtualSwitch(ctx, b.vswitch, &types.HostVirtualSwitchSpec{NumPorts: 128})
		return expectFault(err, "AlreadyExists")
	})

	b.check("vswitch.uplink_in_use_fault", func() (string, error) {
		if err := needs("the battery's vSwitch with an uplink", b.vswitch != "" && b.freeNic != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		spec := types.HostVirtualSwitchSpec{
			NumPorts: 128,
			Bridge:   &types.HostVirtualSwitchBondBridge{NicDevice: []string{b.freeNic}},
		}
		other := b.prefix + "-vs-dup-uplink"
		err := b.network.AddVirtualSwitch(ctx, other, &spec)
		if err == nil {
			_ = b.network.RemoveVirtualSwitch(ctx, other)
		}
		return expectFault(err, "ResourceInUse")
	})

	b.check("vswitch.remove_missing_not_found", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		return expectFault(b.network.RemoveVirtualSwitch(ctx, b.prefix+"-no-such-vswitch"), "NotFound")
	})
}

func freeNic(info *types.HostNetworkInfo) string {
	used := map[string]bool{}
	for _, vs := range info.Vswitch {
		if bond, ok := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
			for _, nic := range bond.NicDevice {
				used[nic] = true
			}
		}
	}
	for _, p := range info.Pnic {
		if !used[p.Device] {
			return p.Device
		}
	}
	return ""
}

// readVswitch reads the battery's vSwitch back: MTU (state and spec) and its one uplink.
func readVswitch(b *Battery, mtu int32) (string, error) {
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	vs := findVswitch(info, b.vswitch)
	if vs == nil {
		return "", fmt.Errorf("vSwitch %s not in networkInfo", b.vswitch)
	}
	bond, _ := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge)
	if vs.Mtu != mtu || vs.Spec.Mtu != mtu || bond == nil || !sameStrings(bond.NicDevice, []string{b.freeNic}) {
		return "", fmt.Errorf("read back mtu %d spec.mtu %d bridge %#v; wanted %d over %s",
			vs.Mtu, vs.Spec.Mtu, vs.Spec.Bridge, mtu, b.freeNic)
	}
	if len(vs.Pnic) != 1 || !strings.HasSuffix(vs.Pnic[0], "-"+b.freeNic) {
		return "", fmt.Errorf("pnic keys %v, wanted the key of %s", vs.Pnic, b.freeNic)
	}
	return fmt.Sprintf("%s mtu %d uplink %s", vs.Name, vs.Mtu, b.freeNic), nil
}

// portgroupChecks: a portgroup with an explicit failover order (read back, then toggled to standby
// and back, as the tool's recovery does), the empty policy objects of a portgroup that overrides
// nothing, its Network object, and the faults for a duplicate and a missing portgroup.
func portgroupChecks(b *Battery) {
	b.check("portgroup.add_failover_order_read_back", func() (string, error) {
		if err := needs("the battery's vSwitch with an uplink", b.vswitch != "" && b.freeNic != ""); err != nil {
			return "", err
		}
		name := b.prefix + "-pg"
		spec := types.HostPortGroupSpec{Name: name, VswitchName: b.vswitch, Policy: explicitFailover([]string{b.freeNic}, nil)}
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.network.AddPortGroup(ctx, spec); err != nil {
			return "", err
		}
		b.portgroup = name
		return readFailover(b, []string{b.freeNic}, nil)
	})

	b.check("portgroup.update_failover_order_read_back", func() (string, error) {
		if err := needs("the battery's portgroup", b.portgroup != ""); err != nil {
			return "", err
		}
		for _, order := range [][2][]string{{nil, {b.freeNic}}, {{b.freeNic}, nil}} {
			spec := types.HostPortGroupSpec{Name: b.portgroup, VswitchName: b.vswitch, Policy: explicitFailover(order[0], order[1])}
			ctx, cancel := b.timed()
			err := b.network.UpdatePortGroup(ctx, b.portgroup, spec)
			cancel()
			if err != nil {
				return "", err
			}
			if _, err := readFailover(b, order[0], order[1]); err != nil {
				return "", err
			}
		}
		return "active -> standby -> active read back after each update", nil
	})

	b.check("portgroup.policy_objects_where_not_overridden", func() (string, error) {
		if err := needs("the battery's vSwitch", b.vswitch != ""); err != nil {
			return "", err
		}
		spare := b.prefix + "-pg-spare"
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.network.AddPortGroup(ctx, types.HostPortGroupSpec{Name: spare, VswitchName: b.vswitch}); err != nil {
			return "", err
		}
		info, err := b.networkInfo()
		if err != nil {
			return "", err
		}
		for _, pg := range info.Portgroup {
			p := pg.Spec.Policy
			if p.Security == nil || p.NicTeaming == nil || p.OffloadPolicy == nil || p.ShapingPolicy == nil {
				return "", fmt.Errorf("portgroup %q spec.policy has a null object: security %v nicTeaming %v offload %v shaping %v",
					pg.Spec.Name, p.Security, p.NicTeaming, p.OffloadPolicy, p.ShapingPolicy)
			}
		}
		return fmt.Sprintf("all %d portgroups send security, nicTeaming, offloadPolicy and shapingPolicy", len(info.Portgroup)), nil
	})

	b.check("portgroup.duplicate_already_exists", func() (string, error) {
		name := b.portgroup
		if name == "" {
			name = b.prefix + "-pg-spare"
		}
		if err := needs("a portgroup the battery added", b.vswitch != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		err := b.network.AddPortGroup(ctx, types.HostPortGroupSpec{Name: name, VswitchName: b.vswitch})
		return expectFault(err, "AlreadyExists")
	})

	b.check("portgroup.network_object_follows", func() (string, error) {
		if err := needs("the battery's vSwitch", b.vswitch != ""); err != nil {
			return "", err
		}
		spare := b.prefix + "-pg-spare"
		ctx, cancel := b.timed()
		defer cancel()
		finder := find.NewFinder(b.client.Client, true)
		if _, err := finder.Network(ctx, "/ha-datacenter/network/"+spare); err != nil {
			return "", fmt.Errorf("the new portgroup %s has no Network object: %v", spare, err)
		}
		if err := b.network.RemovePortGroup(ctx, spare); err != nil {
			return "", err
		}
		_, err := finder.Network(ctx, "/ha-datacenter/network/"+spare)
		var notFound *find.NotFoundError
		if !errors.As(err, &notFound) {
			return "", fmt.Errorf("after RemovePortGroup the Network object is still found (%v)", err)
		}
		return "Network " + spare + " appears with the portgroup and goes with it", nil
	})

	b.check("portgroup.remove_missing_not_found", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		return expectFault(b.network.RemovePortGroup(ctx, b.prefix+"-no-such-pg"), "NotFound")
	})
}

func explicitFailover(active, standby []string) types.HostNetworkPolicy {
	return types.HostNetworkPolicy{NicTeaming: &types.HostNicTeamingPolicy{
		Policy:   "failover_explicit",
		NicOrder: &types.HostNicOrderPolicy{ActiveNic: active, StandbyNic: standby},
	}}
}

func readFailover(b *Battery, active, standby []string) (string, error) {
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	pg := findPortgroup(info, b.portgroup)
	if pg == nil {
		return "", fmt.Errorf("portgroup %s not in networkInfo", b.portgroup)
	}
	teaming := pg.Spec.Policy.NicTeaming
	if teaming == nil || teaming.NicOrder == nil {
		return "", fmt.Errorf("portgroup %s has no nicOrder", b.portgroup)
	}
	order := teaming.NicOrder
	if teaming.Policy != "failover_explicit" || !sameStrings(order.ActiveNic, active) || !sameStrings(order.StandbyNic, standby) {
		return "", fmt.Errorf("read back %s active %v standby %v; wanted failover_explicit active %v standby %v",
			teaming.Policy, order.ActiveNic, order.StandbyNic, active, standby)
	}
	return fmt.Sprintf("%s active %v standby %v", b.portgroup, order.ActiveNic, order.StandbyNic), nil
}
