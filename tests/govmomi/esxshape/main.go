// esxshape: print govmomi's capture of a real ESXi host (simulator/esx) as the XML a host sends.
//
// One JSON object {kind: "<kind>...</kind>"} on stdout, for the kinds the twin models: the host's
// network configuration, its VMkernel NIC manager info, the network capabilities, the product and the
// runtime. Each value is marshalled with govmomi's own XML encoder (typed values carry xsi:type), so
// a test can compare which fields are set, unset or empty with what the twin sends.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/xml"
)

func main() {
	config := esx.HostConfigInfo
	kinds := map[string]interface{}{
		"networkInfo":           config.Network,
		"virtualNicManagerInfo": config.VirtualNicManagerInfo,
		"capabilities":          config.Capabilities,
		"product":               config.Product,
		"runtime":               esx.HostSystem.Runtime,
	}
	out := map[string]string{}
	for name, value := range kinds {
		doc, err := xml.Marshal(struct {
			XMLName xml.Name    `xml:"val"`
			Value   interface{} `xml:",any"`
		}{Value: value})
		if err != nil {
			fmt.Fprintf(os.Stderr, "esxshape: %s: %v\n", name, err)
			os.Exit(1)
		}
		out[name] = string(doc)
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
