"""What every area of provdc shares and nothing else: the user-facing error and process checks.

Areas (inventory, network, monitoring, stacks, hosts, lab) import from here, never from the CLI.
"""
