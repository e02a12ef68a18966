package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const callTimeout = 60 * time.Second

// Battery holds the connection and what earlier checks found, for the checks that build on them.
type Battery struct {
	url        *url.URL
	user       string
	password   string
	thumbprint string
	prefix     string
	only       []string
	started    time.Time

	ctx    context.Context
	cancel context.CancelFunc
	client *govmomi.Client

	host    *object.HostSystem
	network *object.HostNetworkSystem
	vnics   *object.HostVirtualNicManager

	freeNic   string // a physical NIC that is no vSwitch's uplink
	vswitch   string // the vSwitch the battery created
	portgroup string // the portgroup the battery created
	vmk       string // the VMkernel NIC the battery created
	mgmtIP    string // the address of a VMkernel NIC that exists before the battery runs
	mgmtVmk   string
}

func newBattery(u *url.URL, user, password, thumbprint, prefix string) *Battery {
	ctx, cancel := context.WithCancel(context.Background())
	return &Battery{
		url: u, user: user, password: password, thumbprint: thumbprint, prefix: prefix,
		ctx: ctx, cancel: cancel, started: time.Now(),
	}
}

// result is one JSON line.
type result struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

func emit(r result) {
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

// check runs one named check: a nil error is a pass, the detail says what was seen.
func (b *Battery) check(name string, run func() (string, error)) bool {
	if !b.selected(name) {
		return false
	}
	detail, err := safely(run)
	if err != nil {
		emit(result{Name: name, OK: false, Detail: err.Error()})
		return false
	}
	emit(result{Name: name, OK: true, Detail: detail})
	return true
}

func (b *Battery) selected(name string) bool {
	if len(b.only) == 0 {
		return true
	}
	for _, p := range b.only {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func (b *Battery) elapsed(d time.Duration) {
	fmt.Fprintf(os.Stderr, "govmomi-battery: done in %.1f s\n", d.Seconds())
}

// safely turns a panic inside a check (a nil the library handed back) into that check's failure.
func safely(run func() (string, error)) (detail string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return run()
}

// timed is a context for one call, so that a server that never answers fails one check, not all.
func (b *Battery) timed() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, callTimeout)
}

// needs fails a check early when an earlier check did not provide what it builds on.
func needs(what string, ok bool) error {
	if !ok {
		return fmt.Errorf("not run: needs %s (an earlier check failed)", what)
	}
	return nil
}

// faultName is the vSphere fault type in err ("AlreadyExists"), from a SOAP fault or a failed task.
func faultName(err error) string {
	if err == nil {
		return ""
	}
	var fault interface{}
	if soap.IsSoapFault(err) {
		fault = soap.ToSoapFault(err).VimFault()
	} else if soap.IsVimFault(err) {
		fault = soap.ToVimFault(err)
	} else {
		var taskErr task.Error
		if errors.As(err, &taskErr) {
			fault = taskErr.Fault()
		}
	}
	if fault == nil {
		return ""
	}
	t := reflect.TypeOf(fault)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	return t.Name()
}

// expectFault passes when err carries one of the wanted fault types.
func expectFault(err error, wanted ...string) (string, error) {
	got := faultName(err)
	for _, w := range wanted {
		if got == w {
			return "fault " + got, nil
		}
	}
	if err == nil {
		return "", fmt.Errorf("no fault; wanted %s", strings.Join(wanted, " or "))
	}
	return "", fmt.Errorf("wanted %s, got %q: %v", strings.Join(wanted, " or "), got, err)
}

// login opens a new session as govc does: a soap client (pinned by thumbprint when one is given),
// the service content, then SessionManager.Login.
func (b *Battery) login(password string) (*govmomi.Client, error) {
	ctx, cancel := b.timed()
	defer cancel()
	vc, err := b.anonymous(ctx)
	if err != nil {
		return nil, err
	}
	client := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	if err := client.Login(ctx, url.UserPassword(b.user, password)); err != nil {
		return nil, err
	}
	return client, nil
}

// anonymous is a client with the service content read and no session.
func (b *Battery) anonymous(ctx context.Context) (*vim25.Client, error) {
	insecure := b.thumbprint == ""
	sc := soap.NewClient(b.url, insecure)
	if !insecure {
		sc.SetThumbprint(b.url.Host, b.thumbprint)
	}
	return vim25.NewClient(ctx, sc)
}

// networkInfo reads HostNetworkSystem.networkInfo fresh.
func (b *Battery) networkInfo() (*types.HostNetworkInfo, error) {
	ctx, cancel := b.timed()
	defer cancel()
	var ns mo.HostNetworkSystem
	if err := b.network.Properties(ctx, b.network.Reference(), []string{"networkInfo"}, &ns); err != nil {
		return nil, err
	}
	if ns.NetworkInfo == nil {
		return nil, errors.New("networkInfo is unset")
	}
	return ns.NetworkInfo, nil
}

func findVswitch(info *types.HostNetworkInfo, name string) *types.HostVirtualSwitch {
	for i := range info.Vswitch {
		if info.Vswitch[i].Name == name {
			return &info.Vswitch[i]
		}
	}
	return nil
}

func findPortgroup(info *types.HostNetworkInfo, name string) *types.HostPortGroup {
	for i := range info.Portgroup {
		if info.Portgroup[i].Spec.Name == name {
			return &info.Portgroup[i]
		}
	}
	return nil
}

func findVnic(info *types.HostNetworkInfo, device string) *types.HostVirtualNic {
	for i := range info.Vnic {
		if info.Vnic[i].Device == device {
			return &info.Vnic[i]
		}
	}
	return nil
}

// cleanup removes what the battery created, in dependency order, ignoring what is already gone.
func (b *Battery) cleanup() {
	if b.network == nil {
		return
	}
	ctx, cancel := b.timed()
	defer cancel()
	if b.vmk != "" {
		_ = b.network.RemoveVirtualNic(ctx, b.vmk)
	}
	for _, pg := range []string{b.portgroup, b.prefix + "-pg-spare"} {
		if pg != "" {
			_ = b.network.RemovePortGroup(ctx, pg)
		}
	}
	if b.vswitch != "" {
		_ = b.network.RemoveVirtualSwitch(ctx, b.vswitch)
	}
}

func sameStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}
