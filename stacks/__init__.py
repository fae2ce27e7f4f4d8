"""DC stacks: Pulumi programs (Automation API, inline) over pyvmomi dynamic providers."""
