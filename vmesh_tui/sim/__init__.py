"""The ESXi twin: simulated hosts that speak the vSphere SOAP API over HTTPS (see LAB_FORMAT.md)."""
