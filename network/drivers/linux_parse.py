"""The Linux host under FRR (`ip -j`, /proc, /sys, snmpd.conf, chrony) into NAPALM's structures.

FRR routes; the host keeps the counters, the ARP table, the sensors, the SNMP agent, the time
service and the login accounts. Pure functions over the commands' output, as frr_parse.
"""

import re

from napalm.base import models  # type: ignore[import-untyped]

from provdc.network.drivers.frr_parse import load_json

NOT_COUNTED = -1  # NAPALM's value for a counter the platform does not keep
# Lines of each output section of the one-shot commands below start with this marker.
SECTION = re.compile(r"^==> (\S+) <==$", re.M)


def sections(text: str) -> dict[str, str]:
    """`head -v`-style output (`==> name <==` before each file) → {name: text}."""
    parts = SECTION.split(text)
    return {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}


def interfaces_counters(link_json: str) -> dict[str, models.InterfaceCounterDict]:
    """`ip -j -s link show` → get_interfaces_counters().

    Linux counts received multicast but neither sent multicast nor broadcast: those are -1, and
    so is sent unicast (Linux's sent packets include the multicast and broadcast ones); received
    unicast is packets less multicast received."""
    result: dict[str, models.InterfaceCounterDict] = {}
    for link in load_json(link_json, "ip -j -s link show"):
        stats = link.get("stats64", {})
        rx, tx = stats.get("rx", {}), stats.get("tx", {})
        result[str(link["ifname"])] = {
            "tx_errors": int(tx.get("errors", 0)),
            "rx_errors": int(rx.get("errors", 0)),
            "tx_discards": int(tx.get("dropped", 0)),
            "rx_discards": int(rx.get("dropped", 0)),
            "tx_octets": int(tx.get("bytes", 0)),
            "rx_octets": int(rx.get("bytes", 0)),
            "tx_unicast_packets": NOT_COUNTED,
            "rx_unicast_packets": int(rx.get("packets", 0)) - int(rx.get("multicast", 0)),
            "tx_multicast_packets": NOT_COUNTED,
            "rx_multicast_packets": int(rx.get("multicast", 0)),
            "tx_broadcast_packets": NOT_COUNTED,
            "rx_broadcast_packets": NOT_COUNTED,
        }
    return result


def arp_table(neigh_json: str) -> list[models.ARPTableDict]:
    """`ip -j -s -4 neigh show` → get_arp_table(); entries without a MAC (FAILED) left out."""
    table: list[models.ARPTableDict] = []
    for entry in load_json(neigh_json, "ip -j neigh show"):
        if "lladdr" not in entry:
            continue
        table.append(
            {
                "interface": str(entry.get("dev", "")),
                "mac": str(entry["lladdr"]).upper(),
                "ip": str(entry["dst"]),
                "age": float(entry.get("used", -1)),
            }
        )
    return table


def _cpu(stat_text: str) -> dict[int, models.CPUDict]:
    """/proc/stat: busy share of each CPU since boot (user..steal over all, idle+iowait idle)."""
    cpus: dict[int, models.CPUDict] = {}
    for line in stat_text.splitlines():
        name, *fields = line.split()
        if not re.fullmatch(r"cpu\d+", name):
            continue
        ticks = [int(f) for f in fields[:8]]
        total, idle = sum(ticks), ticks[3] + ticks[4]
        cpus[int(name[3:])] = {"%usage": round(100.0 * (total - idle) / total, 1) if total else 0.0}
    return cpus


def _memory(meminfo_text: str) -> models.MemoryDict:
    kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(\w+):\s+(.*)$", meminfo_text, re.M)}
    total = kib.get("MemTotal", 0)
    return {"available_ram": total * 1024, "used_ram": (total - kib.get("MemAvailable", total)) * 1024}


def _temperatures(thermal_text: str) -> dict[str, models.TemperatureDict]:
    """`<type> <millidegrees> <critical millidegrees>` per thermal zone (see the driver)."""
    temps: dict[str, models.TemperatureDict] = {}
    for line in thermal_text.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].lstrip("-").isdigit():
            continue
        celsius = int(parts[1]) / 1000
        critical = int(parts[2]) / 1000 if len(parts) > 2 and parts[2].isdigit() else None
        temps[parts[0]] = {
            "temperature": celsius,
            "is_critical": critical is not None and celsius >= critical,
            "is_alert": critical is not None and celsius >= critical - 10,
        }
    return temps


def environment(stat_text: str, meminfo_text: str, thermal_text: str) -> models.EnvironmentDict:
    """A Linux router has no fan or PSU readings Linux exposes uniformly: those stay empty."""
    return {
        "fans": {},
        "power": {},
        "temperature": _temperatures(thermal_text),
        "cpu": _cpu(stat_text),
        "memory": _memory(meminfo_text),
    }


def snmp_information(snmpd_conf: str, hostname: str) -> models.SNMPDict:
    """net-snmp's snmpd.conf → get_snmp_information(); v3 users are not communities."""
    info: models.SNMPDict = {"chassis_id": hostname, "community": {}, "contact": "", "location": ""}
    for line in snmpd_conf.splitlines():
        words = line.split(None, 1)
        if len(words) < 2 or words[0].startswith("#"):
            continue
        key, rest = words[0].lower(), words[1].strip()
        if key == "syslocation":
            info["location"] = rest
        elif key == "syscontact":
            info["contact"] = rest
        elif key == "sysname":
            info["chassis_id"] = rest
        elif key in ("rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6"):
            name, *source = rest.split()
            info["community"][name] = {
                "acl": source[0] if source else "",
                "mode": "rw" if key.startswith("rw") else "ro",
            }
    return info


def ntp_servers(chrony_conf: str) -> dict[str, models.NTPServerDict]:
    """`server`/`pool` lines of chrony.conf or ntp.conf → get_ntp_servers()."""
    servers: dict[str, models.NTPServerDict] = {}
    for line in chrony_conf.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 2 or words[0] not in ("server", "pool", "peer"):
            continue
        options = words[2:]
        servers[words[1]] = {
            "address": words[1],
            "port": int(options[options.index("port") + 1]) if "port" in options[:-1] else 123,
            "version": int(options[options.index("version") + 1]) if "version" in options[:-1] else 4,
            "association_type": words[0],
            "iburst": "iburst" in options,
            "prefer": "prefer" in options,
            "network_instance": "",
            "source_address": "",
            "key_id": int(options[options.index("key") + 1]) if "key" in options[:-1] else -1,
        }
    return servers


def users(passwd_text: str, admin_group: str, keys: dict[str, str]) -> dict[str, models.UsersDict]:
    """Accounts with a login shell (getent passwd) → get_users().

    level 15: root and the members of the sudo group, else 1. The password hash is never read
    (it is a secret); `keys` holds each user's authorized_keys text when readable."""
    admins = set(admin_group.rsplit(":", 1)[-1].split(",")) if admin_group else set()
    result: dict[str, models.UsersDict] = {}
    for line in passwd_text.splitlines():
        fields = line.split(":")
        if len(fields) < 7 or fields[6].endswith(("nologin", "false", "sync")):
            continue
        name = fields[0]
        result[name] = {
            "level": 15 if fields[2] == "0" or name in admins else 1,
            "password": "",
            "sshkeys": [
                k.strip() for k in keys.get(name, "").splitlines() if k.strip() and not k.startswith("#")
            ],
        }
    return result
