"""Reading ansible-playbook's output: the recap per host and the error of a failed host."""

from provdc.hosts.recap import RecapReader

OUTPUT = """\
TASK [reverse_proxy : Install nginx] *******************************************
ok: [rp-01]
fatal: [db-01]: FAILED! => {"changed": false, "msg": "No package matching 'postgresql-99' is available"}
fatal: [ioc-app-01]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: ssh: connect to host 10.30.8.11 port 22: No route to host", "unreachable": true}

PLAY RECAP *********************************************************************
db-01                      : ok=12   changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
ioc-app-01                 : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0
rp-01                      : ok=54   changed=8    unreachable=0    failed=0    skipped=2    rescued=0    ignored=0
"""  # noqa: E501 (recorded output)


def test_recap_per_host() -> None:
    reader = RecapReader()
    for line in OUTPUT.splitlines():
        reader.feed(line)
    rp, db, ioc = reader.hosts["rp-01"], reader.hosts["db-01"], reader.hosts["ioc-app-01"]
    assert (rp.ok, rp.changed, rp.skipped, rp.status) == (54, 8, 2, "changed")
    assert db.status == "failed"
    assert db.error == "reverse_proxy : Install nginx: No package matching 'postgresql-99' is available"
    assert ioc.status == "unreachable" and "No route to host" in ioc.error


def test_no_change_is_ok() -> None:
    reader = RecapReader()
    for line in [
        "PLAY RECAP ***",
        "h1 : ok=3 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0",
    ]:
        reader.feed(line)
    assert reader.hosts["h1"].status == "ok"
