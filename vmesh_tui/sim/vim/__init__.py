"""The vSphere API a simulated host exposes: managed objects, properties, updates, sessions, faults."""
