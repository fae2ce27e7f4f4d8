"""FRR config text with every secret replaced, for get_config(sanitized=True).

FRR keeps secrets in clear in its running config: vtysh `password` / `enable password`, BGP
`neighbor … password`, OSPF `authentication-key` / `message-digest-key … md5`, IS-IS
`area-password` / `domain-password` / `isis password`, RIP `authentication string`, key-chain
`key-string`. The value (the last word) becomes `<removed>`, as NAPALM's own drivers print it.
"""

import re

REMOVED = "<removed>"
SECRET_LINES = re.compile(
    r"^(?P<keep>\s*(?:"
    r"(?:enable\s+)?password(?:\s+\d)?"
    r"|neighbor\s+\S+\s+password"
    r"|ip\s+ospf\s+(?:\S+\s+)?authentication-key"
    r"|ip\s+ospf\s+(?:\S+\s+)?message-digest-key\s+\d+\s+md5"
    r"|ipv6\s+ospf6\s+authentication\s+.*?\s+key"
    r"|(?:area|domain)-password\s+(?:clear|md5)"
    r"|isis\s+password\s+(?:clear|md5)"
    r"|ip\s+rip\s+authentication\s+string"
    r"|key-string"
    r")\s+)(?P<secret>\S+)(?P<rest>.*)$",
    re.M,
)


def sanitized(config: str) -> str:
    return SECRET_LINES.sub(lambda m: f"{m['keep']}{REMOVED}{m['rest']}", config)
