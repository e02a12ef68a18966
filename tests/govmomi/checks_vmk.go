package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

const (
	vmkIP     = "172.31.254.1"
	vmkIPNext = "172.31.254.5"
	// vmkUnanswered is the other address of vmkIPNext's /30, which nothing holds: pings to it are lost.
	vmkUnanswered = "172.31.254.6"
	vmkNetmask    = "255.255.255.252"
)

// vmkChecks: a VMkernel NIC added on the battery's portgroup (IP, MTU, portgroup read back), updated,
// selected for vMotion and deselected, and the faults for a missing portgroup and a second vmk.
func vmkChecks(b *Battery) {
	b.check("vmk.add_read_back", func() (string, error) {
		if err := needs("the battery's portgroup", b.portgroup != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		device, err := b.network.AddVirtualNic(ctx, b.portgroup, vmkSpec(vmkIP, 9000))
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(device, "vmk") {
			return "", fmt.Errorf("AddVirtualNic returned %q", device)
		}
		b.vmk = device
		return readVmk(b, vmkIP, 9000)
	})

	b.check("vmk.update_ip_mtu_read_back", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != ""); err != nil {
			return "", err
		}
		info, err := b.networkInfo()
		if err != nil {
			return "", err
		}
		spec := findVnic(info, b.vmk).Spec
		spec.Ip = &types.HostIpConfig{Dhcp: false, IpAddress: vmkIPNext, SubnetMask: vmkNetmask}
		spec.Mtu = 1500
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.network.UpdateVirtualNic(ctx, b.vmk, spec); err != nil {
			return "", err
		}
		return readVmk(b, vmkIPNext, 1500)
	})

	b.check("vmk.vmotion_select_deselect", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != "" && b.vnics != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		if err := b.vnics.SelectVnic(ctx, "vmotion", b.vmk); err != nil {
			return "", err
		}
		selected, err := vmotionSelected(b)
		if err != nil {
			return "", err
		}
		if !selected[b.vmk] {
			return "", fmt.Errorf("after SelectVnic the vmotion selection is %v", keys(selected))
		}
		if err := b.vnics.DeselectVnic(ctx, "vmotion", b.vmk); err != nil {
			return "", err
		}
		after, err := vmotionSelected(b)
		if err != nil {
			return "", err
		}
		if after[b.vmk] {
			return "", fmt.Errorf("after DeselectVnic the vmotion selection is %v", keys(after))
		}
		return fmt.Sprintf("%s selected, then deselected (selection now %v)", b.vmk, keys(after)), nil
	})

	b.check("vmk.missing_portgroup_not_found", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		device, err := b.network.AddVirtualNic(ctx, b.prefix+"-no-such-pg", vmkSpec("172.31.254.9", 1500))
		if err == nil {
			_ = b.network.RemoveVirtualNic(ctx, device)
		}
		return expectFault(err, "NotFound")
	})

	b.check("vmk.second_on_portgroup_already_exists", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		device, err := b.network.AddVirtualNic(ctx, b.portgroup, vmkSpec("172.31.254.13", 1500))
		if err == nil {
			_ = b.network.RemoveVirtualNic(ctx, device)
		}
		return expectFault(err, "AlreadyExists")
	})
}

func vmkSpec(ip string, mtu int32) types.HostVirtualNicSpec {
	return types.HostVirtualNicSpec{
		Ip:  &types.HostIpConfig{Dhcp: false, IpAddress: ip, SubnetMask: vmkNetmask},
		Mtu: mtu,
	}
}

// readVmk reads the battery's vmk back: address, netmask, MTU and portgroup (vnic and spec).
func readVmk(b *Battery, ip string, mtu int32) (string, error) {
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	v := findVnic(info, b.vmk)
	if v == nil {
		return "", fmt.Errorf("%s not in networkInfo", b.vmk)
	}
	s := v.Spec
	if s.Ip == nil || s.Ip.IpAddress != ip || s.Ip.SubnetMask != vmkNetmask || s.Mtu != mtu {
		return "", fmt.Errorf("%s read back ip %+v mtu %d; wanted %s/%s mtu %d", b.vmk, s.Ip, s.Mtu, ip, vmkNetmask, mtu)
	}
	if v.Portgroup != b.portgroup || s.Portgroup != b.portgroup {
		return "", fmt.Errorf("%s portgroup %q, spec.portgroup %q; wanted %q", b.vmk, v.Portgroup, s.Portgroup, b.portgroup)
	}
	return fmt.Sprintf("%s %s/%s mtu %d on %s", b.vmk, ip, vmkNetmask, mtu, b.portgroup), nil
}

// vmotionSelected is the set of vmks HostVirtualNicManager.info selects for vMotion.
func vmotionSelected(b *Battery) (map[string]bool, error) {
	ctx, cancel := b.timed()
	defer cancel()
	info, err := b.vnics.Info(ctx)
	if err != nil {
		return nil, err
	}
	devices := map[string]string{}
	selected := map[string]bool{}
	for _, nc := range info.NetConfig {
		if nc.NicType != "vmotion" {
			continue
		}
		for _, c := range nc.CandidateVnic {
			devices[c.Key] = c.Device
		}
		for _, key := range nc.SelectedVnic {
			device, ok := devices[key]
			if !ok {
				return nil, fmt.Errorf("selected key %q is no candidate's key", key)
			}
			selected[device] = true
		}
		return selected, nil
	}
	return nil, errors.New("no vmotion entry in HostVirtualNicManager.info.netConfig")
}

func keys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// hintChecks: QueryNetworkHint answers once for every physical NIC asked about.
func hintChecks(b *Battery) {
	b.check("hint.query_network_hint", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		info, err := b.networkInfo()
		if err != nil {
			return "", err
		}
		var devices []string
		for _, p := range info.Pnic {
			devices = append(devices, p.Device)
		}
		ctx, cancel := b.timed()
		defer cancel()
		hints, err := b.network.QueryNetworkHint(ctx, devices)
		if err != nil {
			return "", err
		}
		var got []string
		for _, h := range hints {
			got = append(got, h.Device)
		}
		sort.Strings(got)
		sort.Strings(devices)
		if !sameStrings(got, devices) {
			return "", fmt.Errorf("hints for %v, asked for %v", got, devices)
		}
		return fmt.Sprintf("one hint for each of %d NICs", len(got)), nil
	})
}

// teardownChecks remove what the battery made, each read back: a portgroup with a vmk is in use,
// then the vmk, the portgroup and the vSwitch go.
func teardownChecks(b *Battery) {
	b.check("portgroup.remove_with_vmk_in_use", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != ""); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		return expectFault(b.network.RemovePortGroup(ctx, b.portgroup), "ResourceInUse")
	})
	b.check("vmk.remove_read_back", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != ""); err != nil {
			return "", err
		}
		return removeAndRead(b, "vmk", func() error { return b.network.RemoveVirtualNic(b.ctx, b.vmk) },
			func(info *types.HostNetworkInfo) bool { return findVnic(info, b.vmk) != nil }, &b.vmk)
	})
	b.check("portgroup.remove_read_back", func() (string, error) {
		if err := needs("the battery's portgroup", b.portgroup != ""); err != nil {
			return "", err
		}
		return removeAndRead(b, "portgroup", func() error { return b.network.RemovePortGroup(b.ctx, b.portgroup) },
			func(info *types.HostNetworkInfo) bool { return findPortgroup(info, b.portgroup) != nil }, &b.portgroup)
	})
	b.check("vswitch.remove_read_back", func() (string, error) {
		if err := needs("the battery's vSwitch", b.vswitch != ""); err != nil {
			return "", err
		}
		return removeAndRead(b, "vSwitch", func() error { return b.network.RemoveVirtualSwitch(b.ctx, b.vswitch) },
			func(info *types.HostNetworkInfo) bool { return findVswitch(info, b.vswitch) != nil }, &b.vswitch)
	})
}

func removeAndRead(b *Battery, what string, remove func() error, present func(*types.HostNetworkInfo) bool, name *string) (string, error) {
	if err := remove(); err != nil {
		return "", err
	}
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	if present(info) {
		return "", fmt.Errorf("%s %s still in networkInfo after its removal", what, *name)
	}
	removed := *name
	*name = ""
	return what + " " + removed + " gone", nil
}
