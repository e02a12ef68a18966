package main

// esxcli over the vSphere API the way govc's host.esxcli does it: HostSystem's
// RetrieveManagedMethodExecuter and RetrieveDynamicTypeManager, the command's CLI info fetched with
// ExecuteSoap (vim.CLIInfo.FetchCLIInfo), its flags parsed against that info, then the command itself
// with ExecuteSoap on the executer. These SOAP types live in govmomi's internal package, which code
// outside govmomi cannot import, so the request and response shapes are declared here.

import (
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const cliInfoMoid = "ha-dynamic-type-manager-local-cli-cliinfo"

type thisRequest struct {
	This types.ManagedObjectReference `xml:"_this"`
}

type referenceResponse struct {
	Returnval *types.ManagedObjectReference `xml:"returnval,omitempty"`
}

type retrieveMMEBody struct {
	Req    *thisRequest       `xml:"urn:vim25 RetrieveManagedMethodExecuter,omitempty"`
	Res    *referenceResponse `xml:"urn:vim25 RetrieveManagedMethodExecuterResponse,omitempty"`
	Fault_ *soap.Fault        `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *retrieveMMEBody) Fault() *soap.Fault { return b.Fault_ }

type retrieveDTMBody struct {
	Req    *thisRequest       `xml:"urn:vim25 RetrieveDynamicTypeManager,omitempty"`
	Res    *referenceResponse `xml:"urn:vim25 RetrieveDynamicTypeManagerResponse,omitempty"`
	Fault_ *soap.Fault        `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *retrieveDTMBody) Fault() *soap.Fault { return b.Fault_ }

type soapArgument struct {
	Name string `xml:"name"`
	Val  string `xml:"val"`
}

type executeSoapRequest struct {
	This     types.ManagedObjectReference `xml:"_this"`
	Moid     string                       `xml:"moid"`
	Version  string                       `xml:"version"`
	Method   string                       `xml:"method"`
	Argument []soapArgument               `xml:"argument,omitempty"`
}

type cliFault struct {
	FaultMsg    string `xml:"faultMsg"`
	FaultDetail string `xml:"faultDetail,omitempty"`
}

type soapResult struct {
	Response string    `xml:"response,omitempty"`
	Fault    *cliFault `xml:"fault,omitempty"`
}

type executeSoapResponse struct {
	Returnval *soapResult `xml:"returnval,omitempty"`
}

type executeSoapBody struct {
	Req    *executeSoapRequest  `xml:"urn:vim25 ExecuteSoap,omitempty"`
	Res    *executeSoapResponse `xml:"urn:vim25 ExecuteSoapResponse,omitempty"`
	Fault_ *soap.Fault          `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *executeSoapBody) Fault() *soap.Fault { return b.Fault_ }

// cliError is an esxcli failure reported inside ExecuteSoap's result (not a SOAP fault).
type cliError struct{ message string }

func (e *cliError) Error() string { return "esxcli: " + e.message }

// cliInfo is what vim.CLIInfo.FetchCLIInfo answers for one namespace.
type cliInfo struct {
	Name   string      `xml:"name"`
	Method []cliMethod `xml:"method"`
}

type cliMethod struct {
	Name  string     `xml:"name"`
	Param []cliParam `xml:"param"`
	Hints []struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	} `xml:"hints"`
}

type cliParam struct {
	Name    string   `xml:"name"`
	Aliases []string `xml:"aliases"`
	Flag    bool     `xml:"flag"`
}

// executor runs esxcli commands on one host.
type executor struct {
	client *vim25.Client
	mme    types.ManagedObjectReference
	dtm    types.ManagedObjectReference
	infos  map[string]*cliInfo
}

func newExecutor(ctx context.Context, c *vim25.Client, host types.ManagedObjectReference) (*executor, error) {
	mme := retrieveMMEBody{Req: &thisRequest{This: host}}
	if err := c.RoundTrip(ctx, &mme, &mme); err != nil {
		return nil, err
	}
	dtm := retrieveDTMBody{Req: &thisRequest{This: host}}
	if err := c.RoundTrip(ctx, &dtm, &dtm); err != nil {
		return nil, err
	}
	if mme.Res == nil || mme.Res.Returnval == nil || dtm.Res == nil || dtm.Res.Returnval == nil {
		return nil, fmt.Errorf("no executer (%v) or no dynamic type manager (%v)", mme.Res, dtm.Res)
	}
	return &executor{client: c, mme: *mme.Res.Returnval, dtm: *dtm.Res.Returnval, infos: map[string]*cliInfo{}}, nil
}

func argument(name string, values ...string) soapArgument {
	var parts []string
	for _, v := range values {
		parts = append(parts, "<"+name+">"+v+"</"+name+">")
	}
	return soapArgument{Name: name, Val: strings.Join(parts, "")}
}

// execute sends one ExecuteSoap and returns the response document (the XML inside <response>).
func (e *executor) execute(ctx context.Context, moid, method string, args []soapArgument) (string, error) {
	body := executeSoapBody{Req: &executeSoapRequest{
		This: e.mme, Moid: moid, Version: "urn:vim25/5.0", Method: method, Argument: args,
	}}
	if err := e.client.RoundTrip(ctx, &body, &body); err != nil {
		return "", err
	}
	if body.Res == nil || body.Res.Returnval == nil {
		return "", nil
	}
	if f := body.Res.Returnval.Fault; f != nil {
		return "", &cliError{message: f.FaultMsg}
	}
	return body.Res.Returnval.Response, nil
}

func (e *executor) info(ctx context.Context, namespace string) (*cliInfo, error) {
	if found, ok := e.infos[namespace]; ok {
		return found, nil
	}
	doc, err := e.execute(ctx, cliInfoMoid, "vim.CLIInfo.FetchCLIInfo", []soapArgument{argument("typeName", "vim.EsxCLI."+namespace)})
	if err != nil {
		return nil, err
	}
	info := new(cliInfo)
	if err := xml.Unmarshal([]byte(doc), info); err != nil {
		return nil, fmt.Errorf("CLI info of %s: %v", namespace, err)
	}
	e.infos[namespace] = info
	return info, nil
}

// run parses args ("network", "nic", "list", "-x", "v") as govc does and executes the command.
func (e *executor) run(ctx context.Context, args []string) (*node, error) {
	var words, flags []string
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = args[i:]
			break
		}
		words = append(words, a)
	}
	if len(words) < 2 {
		return nil, fmt.Errorf("not an esxcli command: %v", args)
	}
	namespace, name := strings.Join(words[:len(words)-1], "."), words[len(words)-1]
	info, err := e.info(ctx, namespace)
	if err != nil {
		return nil, err
	}
	var method *cliMethod
	for i := range info.Method {
		if info.Method[i].Name == name {
			method = &info.Method[i]
		}
	}
	if method == nil {
		return nil, fmt.Errorf("method %q not found in name space %q", name, namespace)
	}
	soapArgs, err := parseFlags(method, flags)
	if err != nil {
		return nil, err
	}
	moid := "ha-cli-handler-" + strings.Join(words[:len(words)-1], "-")
	doc, err := e.execute(ctx, moid, "vim.EsxCLI."+strings.Join(words, "."), soapArgs)
	if err != nil {
		return nil, err
	}
	return parseNode(doc)
}

type multiValue []string

func (m *multiValue) String() string     { return strings.Join(*m, ",") }
func (m *multiValue) Set(v string) error { *m = append(*m, v); return nil }

// parseFlags maps "-I vmk1 --size 56" onto the method's parameters by their aliases.
func parseFlags(method *cliMethod, flags []string) ([]soapArgument, error) {
	fs := flag.NewFlagSet(method.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := make([]multiValue, len(method.Param))
	for i, p := range method.Param {
		for _, alias := range p.Aliases {
			fs.Var(&values[i], strings.TrimLeft(alias, "-"), p.Name)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	var out []soapArgument
	for i, p := range method.Param {
		if len(values[i]) > 0 {
			out = append(out, argument(p.Name, values[i]...))
		}
	}
	return out, nil
}

// node is a parsed XML element: its name, text and children.
type node struct {
	Name     string
	Text     string
	Type     string
	Children []*node
}

func parseNode(doc string) (*node, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{Name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Local == "type" {
					n.Type = a.Value
				}
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("empty esxcli response")
	}
	return root, nil
}

// record is one data object's fields: name -> values (repeated elements become several values).
type record map[string][]string

func (r record) get(name string) string {
	if v := r[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func fields(n *node) record {
	r := record{}
	for _, c := range n.Children {
		r[c.Name] = append(r[c.Name], strings.TrimSpace(c.Text))
	}
	return r
}

// records: the DataObjects of an ArrayOfDataObject answer, or the one object answered.
func records(n *node) []record {
	if n.Type != "ArrayOfDataObject" {
		return []record{fields(n)}
	}
	var out []record
	for _, c := range n.Children {
		if c.Name == "DataObject" {
			out = append(out, fields(c))
		}
	}
	return out
}
