// vcsim-launch: start VMware's govmomi simulator for the vmesh-tui tests.
//
// It serves a vCenter model (one datacenter, one cluster of -hosts hosts) or a standalone ESX model
// over HTTPS on 127.0.0.1, with a freshly generated self-signed certificate, prints one JSON line
// {"url": ..., "user": ..., "thumbprint": SHA-256 hex of the DER certificate, "mode": ...}
// and runs until stdin closes or it receives SIGTERM/SIGINT.
// The login password is read from the VCSIM_PASSWORD environment variable (never argv).
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
