"""One simulated host's network model (SimHost) and its HostNetworkSystem / VirtualNicManager methods."""
