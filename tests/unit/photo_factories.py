"""Photo makers for the pipeline tests: small images generated on the fly, no binaries in git."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "photos"

RED = (255, 0, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)

# Markers drawn on an upright 120×80 picture: red top-left, blue top-right.
UPRIGHT_SIZE = (120, 80)
RED_BOX = (0, 0, 40, 27)
BLUE_BOX = (80, 0, 120, 27)

# For each EXIF orientation, how to turn the upright picture into what a
# camera stores, i.e. the inverse of the transpose a viewer applies.
STORE_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}

SERIAL = "SN-0042-SECRET"
MAKE = "AcmeCam"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    b'xmp:CreatorTool="AcmeCam XMP-SECRET"/></rdf:RDF></x:xmpmeta>'
)


def upright_picture() -> Image.Image:
    """White picture with a red marker top-left and a blue one top-right."""
    im = Image.new("RGB", UPRIGHT_SIZE, WHITE)
    im.paste(RED, RED_BOX)
    im.paste(BLUE, BLUE_BOX)
    return im


def encode(im: Image.Image, fmt: str = "JPEG", **params: Any) -> bytes:
    """Save an image to bytes in the given format."""
    out = io.BytesIO()
    if fmt == "JPEG":
        params.setdefault("quality", 95)
    im.save(out, fmt, **params)
    return out.getvalue()


def exif_bytes(
    *,
    orientation: int | None = None,
    gps: tuple[str, tuple[float, ...], str, tuple[float, ...]] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    camera: bool = False,
) -> bytes:
    """Build an EXIF block such as a phone writes."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if camera:
        exif[ExifTags.Base.Make] = MAKE
        exif[ExifTags.Base.Model] = "Model 7"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    if camera:
        sub[ExifTags.Base.BodySerialNumber] = SERIAL
    if taken is not None:
        sub[ExifTags.Base.DateTimeOriginal] = taken
    if offset is not None:
        sub[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps is not None:
        lat_ref, lat, lon_ref, lon = gps
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = lat_ref
        gps_ifd[ExifTags.GPS.GPSLatitude] = lat
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = lon_ref
        gps_ifd[ExifTags.GPS.GPSLongitude] = lon
    return exif.tobytes()


def stored_upright_picture(orientation: int) -> Image.Image:
    """The upright picture as a camera held at `orientation` stores its pixels."""
    im = upright_picture()
    transpose = STORE_AS[orientation]
    return im if transpose is None else im.transpose(transpose)


def oriented_jpeg(orientation: int) -> bytes:
    """A JPEG a camera held at `orientation` would write of the upright picture."""
    return encode(stored_upright_picture(orientation), exif=exif_bytes(orientation=orientation))


def flat_jpeg(size: tuple[int, int], colour: Any = (90, 140, 200), **params: Any) -> bytes:
    """A plain JPEG of the given size; flat colour keeps big test photos cheap to make."""
    return encode(Image.new("RGB", size, colour), "JPEG", **params)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header declares width×height grey pixels (one row of data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
        + chunk(b"IEND", b"")
    )


@functools.cache
def heif_encoding_error() -> str | None:
    """Why HEIC cannot be written here, or None when it can."""
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        encode(Image.new("RGB", (16, 16)), "HEIF")
    except Exception as exc:  # any failure means: skip the HEIC tests
        return f"pillow_heif cannot encode HEIC here: {exc!r}"
    return None


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def _curve(gamma: float) -> bytes:
    return b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256))


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + struct.pack(">II", 0, 0)  # no Unicode description
        + struct.pack(">HB", 0, 0)  # no ScriptCode description
        + b"\0" * 67
    )


@functools.cache
def display_p3_icc() -> bytes:
    """A minimal ICC v2 matrix profile with Display P3 primaries (gamma 2.2 stands in for the
    sRGB curve), built here because Pillow can only create sRGB profiles."""
    tags = [
        (b"desc", _desc("Display P3 (test)")),
        (b"cprt", b"text\0\0\0\0Public domain test profile\0"),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(0.515121, 0.241189, -0.001053)),
        (b"gXYZ", _xyz(0.291977, 0.692245, 0.041885)),
        (b"bXYZ", _xyz(0.157104, 0.066574, 0.784073)),
        (b"rTRC", _curve(2.2)),
        (b"gTRC", _curve(2.2)),
        (b"bTRC", _curve(2.2)),
    ]
    data_start = 128 + 4 + 12 * len(tags)
    table = struct.pack(">I", len(tags))
    body = b""
    for signature, data in tags:
        table += signature + struct.pack(">II", data_start + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = data_start + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"APPL"
        + b"\0" * 24  # flags, manufacturer, model, attributes, rendering intent
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 48  # creator, profile id, reserved
    )
    assert len(header) == 128
    return header + table + body
