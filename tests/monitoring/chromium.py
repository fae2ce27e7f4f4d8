"""Headless Debian `chromium` for the status page tests: the DOM it built and a screenshot it drew.

The flags keep it off the network (the machine has none) and out of any profile but a scratch one.
`png_pixel` reads a pixel of the screenshot with zlib alone (8-bit RGB/RGBA, not interlaced: what
Chromium writes), so the colour checked is the one drawn, not the one written in the markup.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def binary() -> str | None:
    return shutil.which("chromium")


def _run(url: str, profile: Path, *extra: str) -> str:
    chromium = binary()
    assert chromium is not None, "chromium is not installed"
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(url: str, profile: Path) -> str:
    return _run(url, profile, "--dump-dom")


def screenshot(url: str, profile: Path, out: Path, width: int = 1300, height: int = 1400) -> Path:
    _run(url, profile, f"--screenshot={out}", f"--window-size={width},{height}")
    assert out.is_file() and out.stat().st_size > 1000, f"no screenshot at {out}"
    return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def png_pixel(path: Path, x: int, y: int) -> tuple[int, int, int]:
    """The (r, g, b) of one pixel of an 8-bit RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    for row in range(y + 1):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (0, a, b, (a + b) // 2, _paeth(a, b, c))[kind]) & 0xFF
        previous = line
    assert 0 <= x < width and 0 <= y < height
    r, g, b = previous[x * bpp : x * bpp + 3]
    return r, g, b
