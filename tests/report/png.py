"""A tiny PNG reader (zlib and the five row filters; 8-bit RGB/RGBA only), enough to tell
whether a browser screenshot shows something besides a blank page."""

from __future__ import annotations

import struct
import zlib

CHANNELS = {2: 3, 6: 4}  # colour type -> bytes per pixel at 8 bits


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, row: bytearray, prior: bytes, bpp: int) -> None:
    """Undo one row's filter in place (PNG spec §9)."""
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + a) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + b) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (a + b) // 2) & 0xFF
        elif kind == 4:
            row[i] = (row[i] + _paeth(a, b, c)) & 0xFF


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour})")
    bpp = CHANNELS[colour]
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prior = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = bytearray(raw[start + 1:start + 1 + stride])
        _unfilter(raw[start], row, prior, bpp)
        rows.append(bytes(row))
        prior = bytes(row)
    return width, height, rows


def pixels(data: bytes, step: int = 3) -> list[tuple[int, int, int]]:
    """RGB of every ``step``-th pixel on every ``step``-th row."""
    width, _height, rows = read_png(data)
    bpp = len(rows[0]) // width
    return [tuple(row[x * bpp:x * bpp + 3]) for row in rows[::step]  # type: ignore[misc]
            for x in range(0, width, step)]
