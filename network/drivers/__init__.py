"""Device drivers behind NAPALM's interface; FRR's is ours (`provdc.network.drivers.frr`)."""
