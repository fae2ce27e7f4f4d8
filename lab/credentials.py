"""The lab's credentials: generated once, kept in 0600 files, referenced (never copied) by the target.

One SSH user `provdc` (bash login shell; groups frr, frrvty so that vtysh reaches FRR) for every
router, with a random password and an ed25519 key; SNMPv3 authPriv keys and a v2c community.
"""

import grp
import os
import pwd
import secrets
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.lab.paths import LabPaths
from provdc.lab.system import run

USER = "provdc"
USER_HOME = Path("/var/lib/provdc-lab")
SECRET_NAMES = ("username", "password", "snmp-auth", "snmp-priv", "snmp-community")


def _write_private(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")


def ensure_secrets(paths: LabPaths) -> None:
    """Random secrets and the client key, made on the first `up` and kept for later ones."""
    paths.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(paths.secrets, 0o700)
    values = {
        "username": USER,
        "password": secrets.token_urlsafe(18),
        "snmp-auth": secrets.token_urlsafe(18),
        "snmp-priv": secrets.token_urlsafe(18),
        "snmp-community": "lab-" + secrets.token_hex(6),
    }
    for name in SECRET_NAMES:
        if not (paths.secrets / name).is_file():
            _write_private(paths.secrets / name, values[name])
    key = paths.secrets / "id_ed25519"
    if not key.is_file():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "provdc-lab", "-f", str(key)])
    paths.authorized_keys.parent.mkdir(parents=True, exist_ok=True)
    paths.authorized_keys.write_text(key.with_suffix(".pub").read_text(encoding="utf-8"), encoding="utf-8")
    os.chmod(paths.authorized_keys, 0o644)


def ensure_secret(paths: LabPaths, name: str) -> str:
    """A random secret `name` (made once, kept for later runs); returns its value."""
    path = paths.secrets / name
    if not path.is_file():
        paths.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(path, secrets.token_urlsafe(18))
    return read_secret(paths, name)


def read_secret(paths: LabPaths, name: str) -> str:
    return (paths.secrets / name).read_text(encoding="utf-8").strip()


def ensure_user(paths: LabPaths) -> None:
    """The routers' login user on the machine, with the lab's current password."""
    for group in ("frr", "frrvty"):
        try:
            grp.getgrnam(group)
        except KeyError:
            raise ProvdcError(f"lab: group {group} missing: is the Debian package frr installed?") from None
    try:
        pwd.getpwnam(USER)
    except KeyError:
        run(
            [
                "useradd",
                "--system",
                "--home-dir",
                str(USER_HOME),
                "--create-home",
                "--shell",
                "/bin/bash",
                "--groups",
                "frr,frrvty",
                "--comment",
                "provdc lab routers",
                USER,
            ]
        )
    # Login shells reset PATH in /etc/profile: put the lab's bin (the vtysh wrapper) first again.
    profile = USER_HOME / ".bash_profile"
    profile.write_text(
        '[ -n "$PROVDC_LAB_BIN" ] && PATH="$PROVDC_LAB_BIN:$PATH"\n[ -f ~/.bashrc ] && . ~/.bashrc\n',
        encoding="utf-8",
    )
    run(["chpasswd"], input=f"{USER}:{read_secret(paths, 'password')}\n")


def ensure_host_key(paths: LabPaths, short: str) -> str:
    """The node's SSH host key (made once, kept across runs); returns its public line."""
    key = paths.host_key(short)
    if not key.is_file():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", short, "-f", str(key)])
    return key.with_suffix(".pub").read_text(encoding="utf-8").split(" ")[1]
