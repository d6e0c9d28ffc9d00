"""EXIF from untrusted photos: orientation, capture time and GPS, and nothing else.

Phones write EXIF and the pipeline needs three facts from it: which way up the
picture is, when it was taken and where. Hostile or merely odd EXIF is common,
so every read here fails soft: a value that cannot be read is simply absent,
never a reason to refuse the photo. The re-encoded photo keeps none of it
(`gemba.domain.photos` strips everything): the pipeline applies the orientation
and hands the time and place on as plain values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

from PIL import ExifTags, Image

T = TypeVar("T")

# EXIF orientation -> the transpose that shows the photo upright.
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d):(\d\d)")
_EXIF_OFFSET = re.compile(r"([+-])(\d\d):?(\d\d)")


def read_exif(im: Image.Image) -> tuple[int, datetime | None, tuple[float, float] | None]:
    """Read orientation, capture time and GPS; bad EXIF is common and is simply ignored."""
    try:
        exif = im.getexif()
    except Exception:  # any parser failure on hostile EXIF means: no EXIF
        return 1, None, None
    orientation = _safely(lambda: int(exif.get(ExifTags.Base.Orientation, 1)))
    if orientation not in TRANSPOSE:
        orientation = 1
    taken_at = _safely(lambda: _taken_at(exif.get_ifd(ExifTags.IFD.Exif)))
    gps = _safely(lambda: _gps(exif.get_ifd(ExifTags.IFD.GPSInfo)))
    return orientation, taken_at, gps


def _safely(read: Callable[[], T]) -> T | None:
    """Run one EXIF read, turning any failure into None."""
    try:
        return read()
    except Exception:  # hostile EXIF can break the parser in any way
        return None


def _text(value: Any) -> str:
    """EXIF strings arrive as str or bytes, often NUL padded."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip("\x00 ")


def _taken_at(ifd: dict[int, Any]) -> datetime | None:
    """DateTimeOriginal, made aware UTC only when OffsetTimeOriginal says where it was."""
    match = _EXIF_DATETIME.fullmatch(_text(ifd.get(ExifTags.Base.DateTimeOriginal, "")))
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    taken = datetime(year, month, day, hour, minute, second)  # naive: the camera did not say where
    offset = _EXIF_OFFSET.fullmatch(_text(ifd.get(ExifTags.Base.OffsetTimeOriginal, "")))
    if offset is None:
        return taken
    sign, hours, minutes = offset.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    zone = timezone(-delta if sign == "-" else delta)
    return taken.replace(tzinfo=zone).astimezone(UTC)


def _gps(ifd: dict[int, Any]) -> tuple[float, float] | None:
    """Latitude and longitude in decimal degrees, or None when absent or nonsense."""
    lat = _degrees(ifd.get(ExifTags.GPS.GPSLatitude), ifd.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lon = _degrees(ifd.get(ExifTags.GPS.GPSLongitude), ifd.get(ExifTags.GPS.GPSLongitudeRef), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what cameras write when they had no fix
        return None
    return round(lat, 7), round(lon, 7)


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    """Turn EXIF (degrees, minutes, seconds) rationals and a hemisphere into signed degrees."""
    if not isinstance(value, tuple) or not 1 <= len(value) <= 3:
        return None
    parts = [float(part) for part in value]
    if not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    return -degrees if _text(ref).upper() == negative else degrees
