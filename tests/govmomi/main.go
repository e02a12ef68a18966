// govmomi-battery: VMware's Go SDK (govmomi, unmodified, the library under govc) against one ESXi
// endpoint: the vmesh-tui twin, vcsim or a real host.
//
// It runs a battery of named checks the way govc uses the library (govmomi.NewClient, find.Finder,
// object.HostSystem, object.HostNetworkSystem, object.HostVirtualNicManager, property.Collector,
// session.Manager, esxcli over ExecuteSoap) and prints one JSON line per check:
//
//	{"name": "vswitch.add_mtu_read_back", "ok": true, "detail": "..."}
//
// The endpoint comes from -url or, as for govc, GOVC_URL, GOVC_USERNAME and GOVC_PASSWORD (what
// `vmesh-tui sim --govc` prints); a password only ever comes from the environment
// (GOVMOMI_BATTERY_PASSWORD or GOVC_PASSWORD), never argv. Objects it
// creates are named with -prefix and removed again; the host is left as it was found (maintenance
// mode included). Exit status: 0 when every check ran (passed or not), 2 on bad arguments.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	rawURL := flag.String("url", os.Getenv("GOVC_URL"), "https://127.0.0.1:PORT/sdk (default $GOVC_URL)")
	user := flag.String("user", envOr("GOVC_USERNAME", "root"), "login user (default $GOVC_USERNAME or root)")
	thumbprint := flag.String("sha1", "", "SHA-1 thumbprint of the server certificate (AA:BB:...), pinned as govc does")
	prefix := flag.String("prefix", "gvb", "name prefix of the vSwitches and portgroups the battery creates")
	reboot := flag.Bool("reboot", true, "include the reboot checks (the host reboots once, in maintenance mode)")
	only := flag.String("only", "", "comma-separated check name prefixes to run (default: all)")
	flag.Parse()

	password := envOr("GOVMOMI_BATTERY_PASSWORD", os.Getenv("GOVC_PASSWORD"))
	u, err := url.Parse(*rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		fmt.Fprintln(os.Stderr, "govmomi-battery: -url must be an https URL such as https://127.0.0.1:8443/sdk")
		os.Exit(2)
	}
	if password == "" {
		fmt.Fprintln(os.Stderr, "govmomi-battery: set GOVMOMI_BATTERY_PASSWORD or GOVC_PASSWORD")
		os.Exit(2)
	}
	b := newBattery(u, *user, password, strings.ToUpper(*thumbprint), *prefix)
	if *only != "" {
		b.only = strings.Split(*only, ",")
	}
	defer b.cancel()

	sessionChecks(b)
	inventoryChecks(b)
	vswitchChecks(b)
	portgroupChecks(b)
	vmkChecks(b)
	hintChecks(b)
	collectorChecks(b)
	esxcliChecks(b)
	teardownChecks(b)
	b.cleanup()
	maintenanceChecks(b, *reboot)
	logoutChecks(b)
	b.elapsed(time.Since(b.started))
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
