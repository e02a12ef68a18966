"""The pure domain core: observed state, cables, addressing, desired state, plans. No I/O."""
