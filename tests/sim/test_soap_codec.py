"""The SOAP codec without a network: pyVmomi's own request serializer in, pyVmomi's deserializer out."""

from __future__ import annotations

import re

import pytest
from pyVmomi import SoapStubAdapter, VmomiSupport, vim, vmodl
from pyVmomi.SoapAdapter import SoapResponseDeserializer

from vmesh_tui.sim.wire import soap

VERSION = "vim.version.v8_0_3_0"
STUB = SoapStubAdapter(host="127.0.0.1", port=1, version=VERSION)


def _request(mo: object, method: str, *args: object) -> bytes:
    info = VmomiSupport.GetWsdlMethod(soap.VIM25, method).info
    return STUB.SerializeRequest(mo, info, list(args))


def test_parameters_arrive_as_pyvmomi_objects() -> None:
    network_system = vim.host.NetworkSystem("networkSystem", STUB)
    spec = vim.host.VirtualSwitch.Specification(
        numPorts=128, mtu=9000, bridge=vim.host.VirtualSwitch.BondBridge(nicDevice=["vmnic1", "vmnic2"])
    )
    request = soap.parse_request(_request(network_system, "AddVirtualSwitch", "vmesh-1", spec), VERSION)
    assert request.method == "AddVirtualSwitch"
    assert isinstance(request.this, vim.host.NetworkSystem) and request.this._moId == "networkSystem"
    assert request.params["vswitchName"] == "vmesh-1"
    assert isinstance(request.params["spec"].bridge, vim.host.VirtualSwitch.BondBridge)
    assert list(request.params["spec"].bridge.nicDevice) == ["vmnic1", "vmnic2"]


def test_array_parameters_are_collected_item_by_item() -> None:
    network_system = vim.host.NetworkSystem("networkSystem", STUB)
    request = soap.parse_request(_request(network_system, "QueryNetworkHint", ["vmnic1", "vmnic5"]), VERSION)
    assert list(request.params["device"]) == ["vmnic1", "vmnic5"]
    empty = soap.parse_request(_request(network_system, "QueryNetworkHint", None), VERSION)
    assert empty.params == {}


def test_missing_required_parameter_is_invalid_argument() -> None:
    body = _request(vim.host.NetworkSystem("networkSystem", STUB), "RemoveVirtualSwitch", "x")
    body = re.sub(rb"<vswitchName[^>]*>x</vswitchName>", b"", body)
    with pytest.raises(soap.SoapFault) as caught:
        soap.parse_request(body, VERSION)
    assert isinstance(caught.value.fault, vmodl.fault.InvalidArgument)
    assert caught.value.fault.invalidProperty == "vswitchName"


def test_wrong_element_type_is_invalid_argument() -> None:
    body = _request(
        vim.host.NetworkSystem("networkSystem", STUB),
        "AddPortGroup",
        vim.host.PortGroup.Specification(
            name="pg", vlanId=0, vswitchName="v", policy=vim.host.NetworkPolicy()
        ),
    )
    body = re.sub(rb"<portgrp([^>]*)>", rb'<portgrp\1 xsi:type="HostVirtualSwitchSpec">', body)
    with pytest.raises(soap.SoapFault) as caught:
        soap.parse_request(body, VERSION)
    assert isinstance(caught.value.fault, vmodl.fault.InvalidArgument)


@pytest.mark.parametrize(
    "fault",
    [
        vim.fault.AlreadyExists(name="vmesh-1"),
        vim.fault.ResourceInUse(name="vmnic0"),
        vmodl.fault.InvalidArgument(invalidProperty="spec.mtu"),
        vim.fault.NotAuthenticated(object=vim.HostSystem("ha-host", None), privilegeId="System.View"),
    ],
)
def test_faults_round_trip_through_pyvmomis_response_deserializer(fault: vmodl.MethodFault) -> None:
    body = soap.fault_body(fault, "it went wrong", VERSION)
    assert b'xmlns="urn:vim25"' in body and b"versionId" not in body
    parsed = SoapResponseDeserializer(STUB).Deserialize(body, None)
    assert type(parsed) is type(fault)
    assert parsed.msg == "it went wrong"


def test_return_values_round_trip() -> None:
    info = VmomiSupport.GetWsdlMethod(soap.VIM25, "AddVirtualNic").info
    body = soap.response_body("AddVirtualNic", "vmk3", info.result, info.resultFlags, VERSION)
    assert SoapResponseDeserializer(STUB).Deserialize(body, info.result) == "vmk3"
    void = soap.response_body("RemoveVirtualSwitch", None, None, 0, VERSION)
    assert SoapResponseDeserializer(STUB).Deserialize(void, type(None)) is None


def test_unknown_method_names_answer_like_esxi() -> None:
    body = (
        b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<Body><Frobnicate xmlns="urn:vim25"/></Body></Envelope>'
    )
    with pytest.raises(soap.SoapFault) as caught:
        soap.parse_request(body, VERSION)
    assert isinstance(caught.value.fault, vmodl.fault.InvalidRequest)
    assert "Unable to resolve WSDL method name Frobnicate" in caught.value.message


def test_bad_values_are_not_echoed_in_faults() -> None:
    body = _request(vim.SessionManager("ha-sessionmgr", STUB), "Login", "root", "hunter2-secret", None)
    body = re.sub(rb"<password([^>]*)>", rb'<password\1 xsi:type="xsd:int">', body)
    with pytest.raises(soap.SoapFault) as caught:
        soap.parse_request(body, VERSION)
    assert caught.value.fault.invalidProperty == "password"
    assert b"hunter2" not in soap.fault_body(caught.value.fault, caught.value.message, VERSION)


def test_a_call_without_this_is_an_invalid_request() -> None:
    body = (
        b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<Body><RetrieveServiceContent xmlns="urn:vim25"/></Body></Envelope>'
    )
    with pytest.raises(soap.SoapFault) as caught:
        soap.parse_request(body, VERSION)
    assert isinstance(caught.value.fault, vmodl.fault.InvalidRequest)
