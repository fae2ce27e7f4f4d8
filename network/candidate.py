"""How the intended config goes onto each platform, and the commit-confirm steps around it.

FRR and IOS: a full replace (IOS: SCP to flash, then `configure replace`). Junos: NAPALM's replace
is PyEZ's `load override`, which takes text, XML or JSON but refuses `set` statements
("conflicting args, cannot use 'set' with 'overwrite'"). So the rendered set statements go in with
`load set` (NAPALM's merge) after a `delete` of each hierarchy they set: the candidate then holds
exactly what provdc renders there, and what it does not render (login users, NETCONF, the
management interface) stays as the device has it. Restoring a backup (text) is a true override.
"""

import re
from typing import Any

# How deep a set statement's hierarchy is deleted first: two words (`interfaces ge-0/0/1`,
# `protocols bgp`), deeper where a shallower delete would take what provdc does not render.
_DEPTH = {("system", "services"): 3, ("system", "login"): 3, ("system", "syslog"): 4}
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


def junos_scopes(set_text: str) -> list[str]:
    """The hierarchies the set statements write, in first-seen order."""
    scopes: dict[str, None] = {}
    for line in set_text.splitlines():
        words = _TOKEN.findall(line)
        if len(words) < 3 or words[0] != "set":
            continue
        path = words[1:-1] or words[1:]
        depth = _DEPTH.get(tuple(path[:2]), 2)
        scopes[" ".join(path[:depth])] = None
    return list(scopes)


def junos_candidate(set_text: str) -> str:
    """`delete` of every hierarchy the config writes, then the config itself."""
    deletes = "".join(f"delete {scope}\n" for scope in junos_scopes(set_text))
    body = "\n".join(line for line in set_text.splitlines() if line.strip())
    return deletes + body + "\n"


def load_intended(driver: Any, platform: str, text: str) -> None:
    """Load a rendered config as the candidate, the way `platform` replaces what it manages."""
    if platform == "juniper_junos":
        driver.load_merge_candidate(config=junos_candidate(text))
    else:
        driver.load_replace_candidate(config=text)


def confirm(driver: Any) -> bool:
    """Confirm the pending commit; False when there is none (its revert timer already fired)."""
    if not driver.has_pending_commit():
        return False
    driver.confirm_commit()
    return True


def revert_now(driver: Any) -> bool:
    """Undo an unconfirmed commit at once (IOS `configure revert now`, Junos rollback 1 and
    commit, FRR the saved rollback.conf); False when nothing was pending."""
    if not driver.has_pending_commit():
        return False
    driver.rollback()
    return True


def optional_args(platform: str) -> dict[str, Any]:
    """Driver options the candidate workflow needs: a Junos `delete` of a hierarchy the device does
    not have yet only warns ("statement not found"), which PyEZ would otherwise raise."""
    if platform == "juniper_junos":
        return {"ignore_warning": "statement not found"}
    return {}
