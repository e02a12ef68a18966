"""An independent reader of ESXi host networking for the tests: stock pyVmomi, nothing of vmesh_tui."""
