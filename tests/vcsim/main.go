// vcsim-launch: start VMware's govmomi simulator for the vmesh-tui tests.
//
// It serves a vCenter model (one datacenter, one cluster of -hosts hosts) or a standalone ESX model
// over HTTPS on 127.0.0.1, with a freshly generated self-signed certificate, prints one JSON line
// {"url": ..., "user": ..., "thumbprint": SHA-256 hex of the DER certificate, "mode": ...}
// and runs until stdin closes or it receives SIGTERM/SIGINT.
// The login password is read from the VCSIM_PASSWORD environment variable (never argv).
//
// One change to vcsim's starting inventory (its behaviour is left as it is): vcsim gives every host's
// HostNetworkSystem a skeleton networkInfo (vSwitch0 without spec, MTU or uplinks, no physical NICs, no
// vmks) and no HostVirtualNicManager at all, while its HostSystem.config carries a capture of a real host.
// On a real host networkInfo is the complete configuration and config.network a copy of it, so
// seedHostNetwork fills each networkInfo from the host's own config (once, before serving) and gives each
// host a read-only HostVirtualNicManager whose info is the host's own config.virtualNicManagerInfo.
// Every later change goes through vcsim's own methods, which update networkInfo only.
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func selfSignedCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	template := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "vcsim.localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// seedHostNetwork makes each host's networkInfo and vMotion selection what its config says at start.
func seedHostNetwork(esxMode bool) {
	for _, entity := range simulator.Map.All("HostSystem") {
		host, ok := entity.(*simulator.HostSystem)
		if !ok || host.Config == nil || host.Config.Network == nil || host.ConfigManager.NetworkSystem == nil {
			continue
		}
		ns, ok := simulator.Map.Get(*host.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem)
		if !ok || ns.NetworkInfo == nil {
			continue
		}
		config, info := host.Config.Network, ns.NetworkInfo
		info.Pnic = append([]types.PhysicalNic(nil), config.Pnic...)
		info.Vnic = append([]types.HostVirtualNic(nil), config.Vnic...)
		// vcsim's networkInfo shares its portgroup array with config.network: give it its own
		info.Portgroup = append([]types.HostPortGroup(nil), info.Portgroup...)
		for i := range info.Vswitch {
			for _, captured := range config.Vswitch {
				if captured.Name == info.Vswitch[i].Name {
					seeded := &info.Vswitch[i]
					seeded.Key, seeded.Spec, seeded.Mtu = captured.Key, captured.Spec, captured.Mtu
					seeded.NumPorts, seeded.NumPortsAvailable = captured.NumPorts, captured.NumPortsAvailable
					seeded.Pnic = append([]string(nil), captured.Pnic...)
				}
			}
		}
		if host.Config.VirtualNicManagerInfo == nil {
			continue
		}
		manager := &mo.HostVirtualNicManager{Info: *host.Config.VirtualNicManagerInfo}
		id := "vnicmgr-" + host.Self.Value
		if esxMode {
			id = "ha-vnic-mgr" // the id a real ESXi host uses, and the one vcsim's host already names
		}
		manager.Self = types.ManagedObjectReference{Type: "HostVirtualNicManager", Value: id}
		simulator.Map.Put(manager)
		ref := manager.Self
		host.ConfigManager.VirtualNicManager = &ref
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim-launch: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	mode := flag.String("mode", "vc", "vc (vCenter, one cluster) or esx (one standalone host)")
	hosts := flag.Int("hosts", 2, "hosts in the cluster (vc mode)")
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = a free port)")
	user := flag.String("user", "root", "login user")
	flag.Parse()

	password := os.Getenv("VCSIM_PASSWORD")
	if password == "" {
		password = "vmware"
	}

	var model *simulator.Model
	switch *mode {
	case "vc":
		model = simulator.VPX()
		model.Host = 0
		model.ClusterHost = *hosts
		model.Machine = 0
	case "esx":
		model = simulator.ESX()
		model.Machine = 0
	default:
		fail("unknown -mode %q (want vc or esx)", *mode)
	}
	if err := model.Create(); err != nil {
		fail("cannot create the model: %v", err)
	}
	defer model.Remove()
	seedHostNetwork(*mode == "esx")

	cert, err := selfSignedCertificate()
	if err != nil {
		fail("cannot create a certificate: %v", err)
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	model.Service.Listen = &url.URL{Host: fmt.Sprintf("127.0.0.1:%d", *port), User: url.UserPassword(*user, password)}
	server := model.Service.NewServer()
	defer server.Close()

	sum := sha256.Sum256(cert.Certificate[0])
	line, _ := json.Marshal(map[string]string{
		"url":        fmt.Sprintf("https://%s/sdk", server.URL.Host),
		"user":       *user,
		"thumbprint": hex.EncodeToString(sum[:]),
		"mode":       *mode,
	})
	fmt.Println(string(line))

	done := make(chan struct{}, 2)
	go func() {
		reader := bufio.NewReader(os.Stdin)
		for {
			if _, err := reader.ReadByte(); err != nil {
				done <- struct{}{}
				return
			}
		}
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		done <- struct{}{}
	}()
	<-done
}
