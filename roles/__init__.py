"""Host configuration: Ansible roles for the DC servers, applied and verified from the inventory."""
