"""The province on one machine: routers, hosts and SNMP agents in network namespaces.

`provdc lab up` builds, from the typed inventory, one network namespace per node: FRR routers for
the carrier's PEs, the DC core, the districts and communes, and Debian hosts standing in for DC
VMs. Every node keeps its inventory address and is reachable from the machine out of band.
"""
