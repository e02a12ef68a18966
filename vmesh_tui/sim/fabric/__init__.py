"""The wires between simulated hosts: cables, switches, link negotiation, CDP and the ping model."""
