package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// esxcliChecks: what `govc host.esxcli` would run for the host network the twin models, each compared
// with HostNetworkSystem.networkInfo read through the API.
func esxcliChecks(b *Battery) {
	var e *executor

	b.check("esxcli.cli_info", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		found, err := newExecutor(ctx, b.client.Client, b.host.Reference())
		if err != nil {
			return "", err
		}
		info, err := found.info(ctx, "network.ip.interface")
		if err != nil {
			return "", err
		}
		var names []string
		for _, m := range info.Method {
			names = append(names, m.Name)
		}
		if !contains(names, "list") {
			return "", fmt.Errorf("network.ip.interface methods %v lack list", names)
		}
		e = found
		return fmt.Sprintf("executer %s, type manager %s; network.ip.interface: %s", e.mme.Value, e.dtm.Value, strings.Join(names, " ")), nil
	})

	run := func(args ...string) ([]record, *types.HostNetworkInfo, error) {
		if err := needs("the esxcli executer", e != nil); err != nil {
			return nil, nil, err
		}
		ctx, cancel := b.timed()
		defer cancel()
		n, err := e.run(ctx, args)
		if err != nil {
			return nil, nil, err
		}
		info, err := b.networkInfo()
		return records(n), info, err
	}

	b.check("esxcli.network_nic_list", func() (string, error) {
		rows, info, err := run("network", "nic", "list")
		if err != nil {
			return "", err
		}
		want := map[string]types.PhysicalNic{}
		for _, p := range info.Pnic {
			want[p.Device] = p
		}
		for _, r := range rows {
			p, ok := want[r.get("Name")]
			if !ok {
				return "", fmt.Errorf("esxcli lists %q, networkInfo has no such NIC", r.get("Name"))
			}
			delete(want, p.Device)
			link, speed := "Down", "0"
			if p.LinkSpeed != nil {
				link, speed = "Up", strconv.Itoa(int(p.LinkSpeed.SpeedMb))
			}
			if r.get("LinkStatus") != link || r.get("Speed") != speed || !strings.EqualFold(r.get("MACAddress"), p.Mac) || r.get("Driver") != p.Driver {
				return "", fmt.Errorf("%s: esxcli %v; API link %s speed %s mac %s driver %s", p.Device, r, link, speed, p.Mac, p.Driver)
			}
		}
		if len(want) > 0 {
			return "", fmt.Errorf("esxcli does not list %d NICs of networkInfo", len(want))
		}
		return fmt.Sprintf("%d NICs, link, speed, MAC and driver as networkInfo says", len(rows)), nil
	})

	b.check("esxcli.network_ip_interface_list", func() (string, error) {
		rows, info, err := run("network", "ip", "interface", "list")
		if err != nil {
			return "", err
		}
		if len(rows) != len(info.Vnic) {
			return "", fmt.Errorf("esxcli lists %d interfaces, networkInfo %d", len(rows), len(info.Vnic))
		}
		for _, r := range rows {
			v := findVnic(info, r.get("Name"))
			if v == nil {
				return "", fmt.Errorf("esxcli lists %q, networkInfo has no such vmk", r.get("Name"))
			}
			if r.get("Portgroup") != v.Portgroup || r.get("MTU") != strconv.Itoa(int(v.Spec.Mtu)) || !strings.EqualFold(r.get("MACAddress"), v.Spec.Mac) {
				return "", fmt.Errorf("%s: esxcli %v; API portgroup %s mtu %d mac %s", v.Device, r, v.Portgroup, v.Spec.Mtu, v.Spec.Mac)
			}
		}
		return fmt.Sprintf("%d interfaces, portgroup, MTU and MAC as networkInfo says", len(rows)), nil
	})

	b.check("esxcli.network_ip_interface_ipv4_get", func() (string, error) {
		device := b.vmk
		if device == "" {
			device = b.mgmtVmk
		}
		if err := needs("a vmk", device != ""); err != nil {
			return "", err
		}
		rows, info, err := run("network", "ip", "interface", "ipv4", "get", "-i", device)
		if err != nil {
			return "", err
		}
		v := findVnic(info, device)
		if len(rows) != 1 || v == nil || v.Spec.Ip == nil {
			return "", fmt.Errorf("esxcli answered %v for %s", rows, device)
		}
		r := rows[0]
		if r.get("Name") != device || r.get("IPv4Address") != v.Spec.Ip.IpAddress || r.get("IPv4Netmask") != v.Spec.Ip.SubnetMask {
			return "", fmt.Errorf("esxcli %v; API %s/%s", r, v.Spec.Ip.IpAddress, v.Spec.Ip.SubnetMask)
		}
		return fmt.Sprintf("%s %s/%s", device, r.get("IPv4Address"), r.get("IPv4Netmask")), nil
	})

	b.check("esxcli.network_vswitch_standard_list", func() (string, error) {
		rows, info, err := run("network", "vswitch", "standard", "list")
		if err != nil {
			return "", err
		}
		if len(rows) != len(info.Vswitch) {
			return "", fmt.Errorf("esxcli lists %d vSwitches, networkInfo %d", len(rows), len(info.Vswitch))
		}
		for _, r := range rows {
			vs := findVswitch(info, r.get("Name"))
			if vs == nil {
				return "", fmt.Errorf("esxcli lists %q, networkInfo has no such vSwitch", r.get("Name"))
			}
			var uplinks, portgroups []string
			if bond, ok := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
				uplinks = append(uplinks, bond.NicDevice...)
			}
			for _, key := range vs.Portgroup {
				portgroups = append(portgroups, strings.TrimPrefix(key, "key-vim.host.PortGroup-"))
			}
			got := r["Uplinks"]
			gotPgs := r["Portgroups"]
			sort.Strings(uplinks)
			sort.Strings(got)
			sort.Strings(portgroups)
			sort.Strings(gotPgs)
			if r.get("MTU") != strconv.Itoa(int(vs.Mtu)) || !sameStrings(got, uplinks) || !sameStrings(gotPgs, portgroups) {
				return "", fmt.Errorf("%s: esxcli %v; API mtu %d uplinks %v portgroups %v", vs.Name, r, vs.Mtu, uplinks, portgroups)
			}
		}
		return fmt.Sprintf("%d vSwitches, MTU, uplinks and portgroups as networkInfo says", len(rows)), nil
	})

	b.check("esxcli.network_diag_ping", func() (string, error) {
		if err := needs("a vmk with an address", b.mgmtIP != ""); err != nil {
			return "", err
		}
		if err := needs("the esxcli executer", e != nil); err != nil {
			return "", err
		}
		return pingSummary(b, e, b.mgmtVmk, b.mgmtIP, "2")
	})

	b.check("esxcli.network_diag_ping_unanswered", func() (string, error) {
		if err := needs("the battery's vmk", b.vmk != ""); err != nil {
			return "", err
		}
		if err := needs("the esxcli executer", e != nil); err != nil {
			return "", err
		}
		return pingSummary(b, e, b.vmk, vmkUnanswered, "0") // no host holds the other end of its /30
	})

	b.check("esxcli.ping_error_in_result", func() (string, error) {
		if err := needs("the esxcli executer", e != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		_, err := e.run(ctx, []string{"network", "diag", "ping", "-c", "1"})
		var cli *cliError
		if !errors.As(err, &cli) {
			return "", fmt.Errorf("a ping without a host: wanted an esxcli error inside the result, got %v", err)
		}
		return cli.Error(), nil
	})

	b.check("esxcli.unknown_namespace_fault", func() (string, error) {
		if err := needs("the esxcli executer", e != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		_, err := e.info(ctx, "network.nosuchthing")
		if err == nil {
			return "", errors.New("CLI info for an unknown namespace was answered")
		}
		var cli *cliError
		if !errors.As(err, &cli) {
			return "", fmt.Errorf("an unknown namespace: wanted an esxcli error inside the result, got %v", err)
		}
		return cli.Error(), nil
	})
}

// pingSummary pings `target` twice from `vmk` and checks the replies esxcli counts in its Summary.
func pingSummary(b *Battery, e *executor, vmk, target, received string) (string, error) {
	ctx, cancel := b.timed()
	defer cancel()
	n, err := e.run(ctx, []string{"network", "diag", "ping", "-H", target, "-c", "2", "-I", vmk})
	if err != nil {
		return "", err
	}
	var summary record
	for _, c := range n.Children {
		if c.Name == "Summary" {
			summary = fields(c)
		}
	}
	if summary == nil || summary.get("Transmitted") != "2" || summary.get("Recieved") != received {
		return "", fmt.Errorf("ping %s from %s: summary %v, wanted 2 sent and %s received", target, vmk, summary, received)
	}
	return fmt.Sprintf("%s -> %s: 2 sent, %s received", vmk, target, received), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
