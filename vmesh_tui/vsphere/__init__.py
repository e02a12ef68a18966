"""The vSphere adapter: the only package of the tool that speaks to hosts (and imports pyVmomi)."""
