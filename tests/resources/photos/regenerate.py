"""Rebuild the bad-file test resources in this folder: python tests/resources/photos/regenerate.py.

Each file is tiny; the bombs only *declare* huge sizes, which is all a
refusal that happens before decoding needs.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent


def random_bytes(count: int, seed: int) -> bytes:
    """Reproducible noise."""
    return random.Random(seed).randbytes(count)


def noise(size: tuple[int, int], fmt: str) -> bytes:
    """A small image of random pixels, so truncation cuts through real compressed data."""
    im = Image.frombytes("RGB", size, random_bytes(size[0] * size[1] * 3, seed=42))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header declaring width×height grey pixels, with one row of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
        + png_chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header claims width×height."""
    data = bytearray(noise((8, 8), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def corrupt_exif_jpeg() -> bytes:
    """A fine 32×24 JPEG whose EXIF block is garbage after a valid-looking TIFF header."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 200, 30)).save(out, "JPEG", quality=90)
    jpeg = out.getvalue()
    exif = b"Exif\0\0II*\0\x08\0\0\0\xff\xff" + bytes(range(256)) * 2
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + jpeg[2:]


def gif() -> bytes:
    """A GIF: a real image, but not one of the formats we accept."""
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


FILES = {
    "empty.jpg": b"",
    "truncated.jpg": noise((64, 64), "JPEG")[:2500],
    "truncated.png": noise((32, 32), "PNG")[:1500],
    "magic-then-garbage.jpg": b"\xff\xd8\xff" + random_bytes(500, seed=7),
    "page-named-photo.jpg": b"<!DOCTYPE html>\n<html><body><p>Not a photo</p></body></html>\n",
    "drawing.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10" fill="red"/></svg>\n'
    ),
    "drawing-named-photo.jpg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "animation.gif": gif(),
    "bomb-20000x20000.png": png_bomb(20_000, 20_000),
    "bomb-65000x65000.jpg": jpeg_bomb(65_000, 65_000),
    "corrupt-exif.jpg": corrupt_exif_jpeg(),
}


if __name__ == "__main__":
    for name, content in FILES.items():
        (HERE / name).write_bytes(content)
        print(f"{name}: {len(content)} bytes")
