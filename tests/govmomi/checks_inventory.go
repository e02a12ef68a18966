package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// inventoryChecks: the finder (as govc resolves -dc and -host), inventory paths, the SearchIndex,
// the host's configManager references and the Network objects of standard portgroups.
func inventoryChecks(b *Battery) {
	var finder *find.Finder
	var dc *object.Datacenter

	b.check("finder.default_datacenter", func() (string, error) {
		if err := needs("a login", b.client != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		finder = find.NewFinder(b.client.Client, false)
		found, err := finder.DefaultDatacenter(ctx)
		if err != nil {
			return "", err
		}
		if found.InventoryPath != "/ha-datacenter" {
			return "", fmt.Errorf("datacenter path %q, wanted /ha-datacenter", found.InventoryPath)
		}
		dc = found
		finder.SetDatacenter(dc)
		return dc.InventoryPath, nil
	})

	b.check("finder.default_host", func() (string, error) {
		if err := needs("the datacenter", dc != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		host, err := finder.DefaultHostSystem(ctx)
		if err != nil {
			return "", err
		}
		name, err := host.ObjectName(ctx)
		if err != nil {
			return "", err
		}
		if !strings.HasSuffix(host.InventoryPath, "/"+name) {
			return "", fmt.Errorf("host %q at path %q", name, host.InventoryPath)
		}
		b.host = host
		return host.InventoryPath, nil
	})

	b.check("finder.host_by_path", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		found, err := finder.HostSystem(ctx, b.host.InventoryPath)
		if err != nil {
			return "", err
		}
		if found.Reference() != b.host.Reference() {
			return "", fmt.Errorf("found %v, wanted %v", found.Reference(), b.host.Reference())
		}
		return "found " + found.Reference().Value, nil
	})

	b.check("finder.host_not_found", func() (string, error) {
		if err := needs("the datacenter", dc != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		_, err := finder.HostSystem(ctx, "no-such-host.invalid")
		var notFound *find.NotFoundError
		if !errors.As(err, &notFound) {
			return "", fmt.Errorf("wanted find.NotFoundError, got %v", err)
		}
		return err.Error(), nil
	})

	b.check("inventory.path_from_parents", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		path, err := find.InventoryPath(ctx, b.client.Client, b.host.Reference())
		if err != nil {
			return "", err
		}
		if path != b.host.InventoryPath {
			return "", fmt.Errorf("path from parents %q, finder said %q", path, b.host.InventoryPath)
		}
		return path, nil
	})

	b.check("search_index.find_by_inventory_path", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		si := object.NewSearchIndex(b.client.Client)
		found, err := si.FindByInventoryPath(ctx, b.host.InventoryPath)
		if err != nil {
			return "", err
		}
		if found == nil || found.Reference() != b.host.Reference() {
			return "", fmt.Errorf("FindByInventoryPath(%q) = %v", b.host.InventoryPath, found)
		}
		missing, err := si.FindByInventoryPath(ctx, "/ha-datacenter/host/no-such-host.invalid")
		if err != nil || missing != nil {
			return "", fmt.Errorf("a missing path gave %v, %v; wanted nothing", missing, err)
		}
		return "host found; a missing path finds nothing", nil
	})

	b.check("search_index.find_child", func() (string, error) {
		if err := needs("the datacenter", dc != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		si := object.NewSearchIndex(b.client.Client)
		found, err := si.FindChild(ctx, dc, "host")
		if err != nil {
			return "", err
		}
		folders, err := dc.Folders(ctx)
		if err != nil {
			return "", err
		}
		if found == nil || found.Reference() != folders.HostFolder.Reference() {
			return "", fmt.Errorf("FindChild(dc, host) = %v, wanted %v", found, folders.HostFolder.Reference())
		}
		missing, err := si.FindChild(ctx, dc, "no-such-child")
		if err != nil || missing != nil {
			return "", fmt.Errorf("a missing child gave %v, %v; wanted nothing", missing, err)
		}
		return "host folder found; a missing child finds nothing", nil
	})

	b.check("host.config_manager_references", func() (string, error) {
		if err := needs("the host", b.host != nil); err != nil {
			return "", err
		}
		ctx, cancel := b.timed()
		defer cancel()
		ns, err := b.host.ConfigManager().NetworkSystem(ctx)
		if err != nil {
			return "", err
		}
		vnm, err := b.host.ConfigManager().VirtualNicManager(ctx)
		if err != nil {
			return "", err
		}
		b.network, b.vnics = ns, vnm
		return fmt.Sprintf("networkSystem %s, virtualNicManager %s", ns.Reference().Value, vnm.Reference().Value), nil
	})

	b.check("inventory.network_objects", func() (string, error) {
		if err := needs("the network system", b.network != nil); err != nil {
			return "", err
		}
		return checkNetworkObjects(b, finder, dc)
	})
}

// checkNetworkObjects: HostSystem.network, Datacenter.network and the finder's networks all name the
// host's standard portgroups that carry no VMkernel NIC (as a real host's capture shows).
func checkNetworkObjects(b *Battery, finder *find.Finder, dc *object.Datacenter) (string, error) {
	info, err := b.networkInfo()
	if err != nil {
		return "", err
	}
	withVmk := map[string]bool{}
	for _, v := range info.Vnic {
		withVmk[v.Portgroup] = true
	}
	var want []string
	for _, pg := range info.Portgroup {
		if !withVmk[pg.Spec.Name] {
			want = append(want, pg.Spec.Name)
		}
	}
	sort.Strings(want)
	ctx, cancel := b.timed()
	defer cancel()
	var host mo.HostSystem
	if err := b.host.Properties(ctx, b.host.Reference(), []string{"network"}, &host); err != nil {
		return "", err
	}
	var mdc mo.Datacenter
	if err := dc.Properties(ctx, dc.Reference(), []string{"network"}, &mdc); err != nil {
		return "", err
	}
	hostNames, err := networkNames(b, host.Network)
	if err != nil {
		return "", err
	}
	dcNames, err := networkNames(b, mdc.Network)
	if err != nil {
		return "", err
	}
	found, err := finder.NetworkList(ctx, "*")
	if err != nil && len(want) > 0 {
		return "", err
	}
	var finderNames []string
	for _, n := range found {
		finderNames = append(finderNames, strings.TrimPrefix(n.GetInventoryPath(), "/ha-datacenter/network/"))
	}
	sort.Strings(finderNames)
	if len(want) == 0 || !sameStrings(hostNames, want) || !sameStrings(dcNames, want) || !sameStrings(finderNames, want) {
		return "", fmt.Errorf("portgroups without a vmk %v; HostSystem.network %v, Datacenter.network %v, finder %v",
			want, hostNames, dcNames, finderNames)
	}
	return "networks " + strings.Join(want, ", "), nil
}

func networkNames(b *Battery, refs []types.ManagedObjectReference) ([]string, error) {
	names := []string{}
	ctx, cancel := b.timed()
	defer cancel()
	for _, ref := range refs {
		name, err := object.NewCommon(b.client.Client, ref).ObjectName(ctx)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}
