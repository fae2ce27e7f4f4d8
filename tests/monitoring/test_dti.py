"""`report dti` without Prometheus: the inventory's shares, and bad input as one line.

The availability from a real Prometheus is tested in the lab (test_lab_ioc.py).
"""

from __future__ import annotations

import json

from admin_units import official_names
from tests_cli import Cli


def test_shares_from_the_inventory(provdc_cli: Cli) -> None:
    done = provdc_cli("report", "dti", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    communes = sum(1 for code in official_names() if len(code) == 5)  # commune codes are 5 digits
    assert report["communes_on_tslcd"] == {"count": communes, "total": communes, "value": 1.0}
    assert report["communes_with_vc"]["total"] == communes
    assert report["availability"] == {} and report["availability_overall"] is None
    assert report["start"] == "2026-01-01T00:00:00+00:00" and report["province"] == "Hải Dương"


def test_html_is_one_escaped_page(provdc_cli: Cli) -> None:
    done = provdc_cli("report", "dti", "--format", "html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!DOCTYPE html>") and "Hải Dương" in done.stdout
    assert "<script" not in done.stdout and "site routers with a backup ≤ 7 days old" in done.stdout


def test_bad_input_is_one_line(provdc_cli: Cli) -> None:
    for args, word in (
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--from must be before --to"),
        (["--to", "yesterday"], "--to 'yesterday'"),
        (["--prometheus", "http://127.0.0.1:1"], "--prometheus http://127.0.0.1:1"),
        (["--backup-days", "-1"], "--backup-days"),
    ):
        done = provdc_cli("report", "dti", *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert word in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
