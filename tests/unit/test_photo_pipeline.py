"""The photo pipeline: what it accepts, what it refuses, and what it never lets through."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageCms, ImageFile, JpegImagePlugin, PngImagePlugin

from gemba.domain.photos import (
    PhotoRejected,
    ProcessedPhoto,
    Rendition,
    process_photo,
    sniff_format,
)
from tests.unit.photo_factories import (
    BLUE,
    MAKE,
    RED,
    RESOURCES,
    SERIAL,
    UPRIGHT_SIZE,
    WHITE,
    XMP,
    display_p3_icc,
    encode,
    exif_bytes,
    flat_jpeg,
    heif_encoding_error,
    oriented_jpeg,
    png_declaring,
    stored_upright_picture,
    upright_picture,
)

needs_heif_encoder = pytest.mark.skipif(
    heif_encoding_error() is not None, reason=str(heif_encoding_error())
)

GPS_LONDON = ("N", (51.0, 30.0, 36.0), "W", (0.0, 7.0, 12.0))


def pixel(rendition: Rendition, xy: tuple[int, int]) -> tuple[int, ...]:
    """Decode a rendition and read one pixel."""
    with Image.open(io.BytesIO(rendition.data)) as img:
        value = img.convert("RGB").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    """Colours equal up to JPEG's rounding."""
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def assert_clean_jpeg(rendition: Rendition) -> None:
    """A rendition is a plain JPEG carrying pixels and nothing else."""
    assert rendition.mime == "image/jpeg"
    with Image.open(io.BytesIO(rendition.data)) as img:
        assert img.format == "JPEG"
        assert img.size == (rendition.width, rendition.height)
        for key in ("exif", "xmp", "comment", "icc_profile", "photoshop", "XML:com.adobe.xmp"):
            assert key not in img.info
        assert not img.getexif()
        assert [marker for marker, _ in img.applist] in ([], ["APP0"])  # JFIF header only
    for secret in (b"Exif", b"GPS", b"xmp", SERIAL.encode(), MAKE.encode(), b"ICC_PROFILE"):
        assert secret not in rendition.data


# --- orientation ----------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_puts_the_picture_upright(orientation: int) -> None:
    photo = process_photo(oriented_jpeg(orientation))

    assert (photo.display.width, photo.display.height) == UPRIGHT_SIZE
    assert (photo.source_width, photo.source_height) == UPRIGHT_SIZE
    assert close_to(pixel(photo.display, (10, 10)), RED)
    assert close_to(pixel(photo.display, (110, 10)), BLUE)
    assert close_to(pixel(photo.display, (60, 70)), WHITE)
    assert close_to(pixel(photo.thumb, (10, 10)), RED)


@needs_heif_encoder
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_heic_orientation_is_applied_exactly_once(orientation: int) -> None:
    stored = stored_upright_picture(orientation)
    data = encode(stored, "HEIF", quality=90, exif=exif_bytes(orientation=orientation))

    photo = process_photo(data)

    assert (photo.display.width, photo.display.height) == UPRIGHT_SIZE
    assert close_to(pixel(photo.display, (10, 10)), RED, tolerance=20)
    assert close_to(pixel(photo.display, (110, 10)), BLUE, tolerance=20)


@pytest.mark.parametrize(
    ("orientation", "display", "thumb", "source"),
    [
        (1, (2016, 1512), (400, 300), (4032, 3024)),
        (6, (1512, 2016), (300, 400), (3024, 4032)),
    ],
)
def test_phone_photo_is_decoded_at_half_scale_with_no_resampling(
    orientation: int,
    display: tuple[int, int],
    thumb: tuple[int, int],
    source: tuple[int, int],
) -> None:
    data = flat_jpeg((4032, 3024), quality=70, exif=exif_bytes(orientation=orientation))

    photo = process_photo(data)

    assert (photo.display.width, photo.display.height) == display
    assert (photo.thumb.width, photo.thumb.height) == thumb
    assert (photo.source_width, photo.source_height) == source


def test_jpeg_is_shrunk_inside_the_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    drafts: list[tuple[str | None, tuple[int, int] | None, object]] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(
        self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None
    ) -> object:
        result = real_draft(self, mode, size)
        drafts.append((mode, size, result))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)

    process_photo(flat_jpeg((4032, 3024), quality=70))

    assert drafts == [("RGB", (2016, 1512), ("RGB", (0, 0, 2016, 1512)))]


def test_multi_picture_jpeg_shows_its_first_picture_decoded_at_half_scale() -> None:
    # Phones write MPO (a JPEG followed by more pictures) for depth maps and previews.
    first, second = Image.new("RGB", (504, 378), RED), Image.new("RGB", (504, 378), BLUE)
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    photo = process_photo(data, display_edge=256)

    assert photo.source_format == "JPEG"
    assert (photo.display.width, photo.display.height) == (252, 189)
    assert close_to(pixel(photo.display, (100, 100)), RED)


@pytest.mark.parametrize(
    ("fmt", "size", "display"),
    [
        ("JPEG", (200, 120), (200, 120)),  # already small: kept as is
        ("JPEG", (256, 100), (256, 100)),  # exactly the edge
        ("JPEG", (504, 378), (252, 189)),  # 1/2 lands in [3/4 edge, edge]: no resampling
        ("JPEG", (2000, 1000), (250, 125)),  # 1/8 lands in range
        ("JPEG", (300, 200), (256, 171)),  # 1/2 too small: full decode, then resize
        ("JPEG", (700, 350), (256, 128)),  # 1/2 too big, 1/4 too small: 1/2 then resize
        ("PNG", (504, 378), (252, 189)),  # same sizes for every format
        ("PNG", (300, 200), (256, 171)),
        ("WEBP", (700, 350), (256, 128)),
    ],
)
def test_display_size_follows_the_long_edge_rule(
    fmt: str, size: tuple[int, int], display: tuple[int, int]
) -> None:
    data = encode(Image.new("RGB", size, (30, 60, 90)), fmt)

    photo = process_photo(data, display_edge=256, thumb_edge=64)

    assert (photo.display.width, photo.display.height) == display
    assert max(photo.thumb.width, photo.thumb.height) == min(64, max(display))


# --- formats and colour ---------------------------------------------------------------------


def rgba_png() -> bytes:
    """Left half opaque red, right half fully transparent."""
    im = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 32, 32))
    return encode(im, "PNG")


def grey16_png() -> bytes:
    """16-bit grey: white on the left, mid grey on the right."""
    im = Image.new("I;16", (64, 32), 65535)
    im.paste(32896, (32, 0, 64, 32))
    return encode(im, "PNG")


def cmyk_jpeg() -> bytes:
    """Pure red made of magenta and yellow ink."""
    return encode(Image.new("CMYK", (64, 32), (0, 255, 255, 0)), "JPEG")


def rgba_webp() -> bytes:
    """Half transparent WebP, losslessly coded."""
    im = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    im.paste((255, 0, 0, 255), (0, 0, 32, 32))
    return encode(im, "WEBP", lossless=True)


def heic() -> bytes:
    """Red then white HEIC, the iPhone's default format."""
    im = Image.new("RGB", (64, 32), WHITE)
    im.paste(RED, (0, 0, 32, 32))
    return encode(im, "HEIF", quality=90)


def red_white(fmt: str, **params: object) -> Callable[[], bytes]:
    """Red then white, in the given format."""

    def make() -> bytes:
        im = Image.new("RGB", (64, 32), WHITE)
        im.paste(RED, (0, 0, 32, 32))
        return encode(im, fmt, **params)

    return make


@pytest.mark.parametrize(
    ("make", "source_format", "left", "right"),
    [
        pytest.param(red_white("JPEG"), "JPEG", RED, WHITE, id="jpeg-baseline"),
        pytest.param(
            red_white("JPEG", progressive=True), "JPEG", RED, WHITE, id="jpeg-progressive"
        ),
        pytest.param(cmyk_jpeg, "JPEG", RED, RED, id="jpeg-cmyk"),
        pytest.param(red_white("PNG"), "PNG", RED, WHITE, id="png-rgb"),
        pytest.param(rgba_png, "PNG", RED, WHITE, id="png-alpha-on-white"),
        pytest.param(grey16_png, "PNG", WHITE, (128, 128, 128), id="png-16-bit-grey"),
        pytest.param(red_white("WEBP", quality=90), "WEBP", RED, WHITE, id="webp"),
        pytest.param(rgba_webp, "WEBP", RED, WHITE, id="webp-alpha-on-white"),
        pytest.param(heic, "HEIF", RED, WHITE, id="heic", marks=needs_heif_encoder),
    ],
)
def test_supported_formats_become_rgb_jpegs(
    make: Callable[[], bytes],
    source_format: str,
    left: tuple[int, int, int],
    right: tuple[int, int, int],
) -> None:
    photo = process_photo(make())

    assert photo.source_format == source_format
    assert (photo.source_width, photo.source_height) == (64, 32)
    for rendition in (photo.display, photo.thumb):
        assert_clean_jpeg(rendition)
        with Image.open(io.BytesIO(rendition.data)) as img:
            assert img.mode == "RGB"
    assert close_to(pixel(photo.display, (8, 16)), left, tolerance=20)
    assert close_to(pixel(photo.display, (56, 16)), right, tolerance=20)


def test_display_p3_colours_are_converted_to_srgb() -> None:
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(display_p3_icc()))
    im = Image.new("RGB", (64, 32), (255, 0, 0))  # P3 red: outside sRGB, clips to red
    im.paste((120, 200, 120), (32, 0, 64, 32))  # a P3 green sRGB can show, differently coded
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), (120, 200, 120)), p3, ImageCms.createProfile("sRGB")
    )
    assert expected is not None
    srgb_green = expected.getpixel((0, 0))
    assert abs(srgb_green[0] - 120) > 20  # so the check below tells conversion from none

    photo = process_photo(encode(im, "PNG", icc_profile=display_p3_icc()))

    assert close_to(pixel(photo.display, (8, 16)), RED, tolerance=25)
    assert close_to(pixel(photo.display, (56, 16)), srgb_green, tolerance=6)
    assert_clean_jpeg(photo.display)


@pytest.mark.parametrize(
    "icc",
    [
        pytest.param(b"not a profile at all", id="garbage"),
        pytest.param(display_p3_icc()[:200], id="truncated"),
        pytest.param(ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes(), id="lab"),
    ],
)
def test_unusable_colour_profile_is_ignored(icc: bytes) -> None:
    photo = process_photo(red_white("JPEG", icc_profile=icc)())

    assert close_to(pixel(photo.display, (8, 16)), RED)
    assert_clean_jpeg(photo.display)


# --- metadata -------------------------------------------------------------------------------


def with_metadata(fmt: str) -> bytes:
    """A photo carrying GPS, camera make and serial, XMP and a comment where the format can."""
    im = Image.new("RGB", (48, 32), (200, 180, 40))
    exif = exif_bytes(gps=GPS_LONDON, taken="2026:11:20 08:12:00", offset="+01:00", camera=True)
    if fmt == "JPEG":
        return encode(im, fmt, exif=exif, xmp=XMP, comment=b"owned by " + SERIAL.encode())
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Comment", "owned by " + SERIAL)
        return encode(im, fmt, exif=exif, pnginfo=info)
    return encode(im, fmt, exif=exif, xmp=XMP)


@pytest.mark.parametrize(
    "fmt",
    ["JPEG", "PNG", "WEBP", pytest.param("HEIF", marks=needs_heif_encoder)],
)
def test_metadata_is_read_then_stripped_from_both_renditions(fmt: str) -> None:
    photo = process_photo(with_metadata(fmt))

    assert_clean_jpeg(photo.display)
    assert_clean_jpeg(photo.thumb)
    assert photo.gps == pytest.approx((51.51, -0.12))
    assert photo.taken_at == datetime(2026, 11, 20, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("taken", "offset", "taken_at"),
    [
        ("2026:11:20 08:12:00", "+01:00", datetime(2026, 11, 20, 7, 12, tzinfo=UTC)),
        ("2026:11:20 08:12:00", "-05:30", datetime(2026, 11, 20, 13, 42, tzinfo=UTC)),
        ("2026:11:20 08:12:00\x00", "+00:00", datetime(2026, 11, 20, 8, 12, tzinfo=UTC)),
        ("2026:11:20 08:12:00", None, datetime(2026, 11, 20, 8, 12)),
        ("2026:11:20 08:12:00", "local", datetime(2026, 11, 20, 8, 12)),
        ("0000:00:00 00:00:00", "+01:00", None),
        ("2026:13:45 99:00:00", None, None),
        ("yesterday", None, None),
        (None, "+01:00", None),
    ],
)
def test_taken_at_is_aware_only_when_the_camera_gave_an_offset(
    taken: str | None, offset: str | None, taken_at: datetime | None
) -> None:
    photo = process_photo(flat_jpeg((16, 16), exif=exif_bytes(taken=taken, offset=offset)))

    assert photo.taken_at == taken_at
    if taken_at is not None:
        assert (photo.taken_at.tzinfo is None) == (taken_at.tzinfo is None)


@pytest.mark.parametrize(
    ("gps", "expected"),
    [
        (("N", (51.0, 30.0, 36.0), "W", (0.0, 7.0, 12.0)), (51.51, -0.12)),
        (("S", (33.0, 51.0, 54.0), "E", (151.0, 12.0, 36.0)), (-33.865, 151.21)),
        (("N", (0.0, 0.0, 0.0), "E", (0.0, 0.0, 0.0)), None),  # a camera with no fix
        (("N", (95.0, 0.0, 0.0), "E", (10.0, 0.0, 0.0)), None),  # no such latitude
        (None, None),
    ],
)
def test_gps_is_read_in_signed_decimal_degrees(
    gps: tuple[str, tuple[float, ...], str, tuple[float, ...]] | None,
    expected: tuple[float, float] | None,
) -> None:
    photo = process_photo(flat_jpeg((16, 16), exif=exif_bytes(gps=gps)))

    if expected is None:
        assert photo.gps is None
    else:
        assert photo.gps == pytest.approx(expected)


def test_corrupt_exif_is_ignored_not_fatal() -> None:
    photo = process_photo((RESOURCES / "corrupt-exif.jpg").read_bytes())

    assert (photo.display.width, photo.display.height) == (32, 24)
    assert photo.taken_at is None
    assert photo.gps is None
    assert_clean_jpeg(photo.display)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("empty.jpg", 422),
        ("truncated.jpg", 422),
        ("truncated.png", 422),
        ("magic-then-garbage.jpg", 422),
        ("page-named-photo.jpg", 415),
        ("drawing.svg", 415),
        ("drawing-named-photo.jpg", 415),
        ("animation.gif", 415),
        ("bomb-20000x20000.png", 413),
        ("bomb-65000x65000.jpg", 413),
    ],
)
def test_bad_files_are_refused_with_their_status(name: str, status: int) -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo((RESOURCES / name).read_bytes())

    assert caught.value.status == status
    assert caught.value.message
    assert str(caught.value) == caught.value.message


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda: encode(Image.new("RGB", (8, 8)), "BMP"), 415),
        (lambda: encode(Image.new("RGB", (8, 8)), "TIFF"), 415),
        (lambda: b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00mif1avif", 415),
        (lambda: b"\xff\xd8", 415),  # too short to be anything
    ],
)
def test_other_image_types_are_not_photos(make: Callable[[], bytes], status: int) -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(make())

    assert caught.value.status == status
    assert "not a photo" in caught.value.message


def test_too_many_bytes_is_refused_before_looking_inside() -> None:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(b"<html>" * 100, max_bytes=500)

    assert caught.value.status == 413
    assert "too large" in caught.value.message


@pytest.mark.parametrize(
    "name", ["bomb-20000x20000.png", "bomb-65000x65000.jpg", "generated-jpeg-over-budget"]
)
def test_pixel_bombs_are_refused_without_decoding(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name.startswith("generated"):
        data, max_pixels = flat_jpeg((200, 100)), 19_999
    else:
        data, max_pixels = (RESOURCES / name).read_bytes(), 50_000_000

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, max_pixels=max_pixels)

    assert caught.value.status == 413
    assert "too many pixels" in caught.value.message


def test_pillow_bomb_warning_is_an_error_even_when_warnings_are_ignored() -> None:
    # 10000×10000 is over Pillow's warning threshold (89 Mpx) but under its hard
    # limit; with our own budget raised, Pillow's warning is what must stop it.
    data = png_declaring(10_000, 10_000)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(PhotoRejected) as caught:
            process_photo(data, max_pixels=200_000_000)

    assert caught.value.status == 413


def test_photos_processed_in_parallel_threads_come_out_right() -> None:
    uploads = [oriented_jpeg(orientation) for orientation in range(1, 9)] * 4
    uploads += [(RESOURCES / "corrupt-exif.jpg").read_bytes()] * 4
    expected = [process_photo(data).display.data for data in uploads]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda data: process_photo(data).display.data, uploads))

    assert results == expected


def test_warning_filters_are_left_as_they_were() -> None:
    before = list(warnings.filters)

    process_photo((RESOURCES / "corrupt-exif.jpg").read_bytes())
    with pytest.raises(PhotoRejected):
        process_photo(png_declaring(10_000, 10_000), max_pixels=200_000_000)

    assert warnings.filters == before


# --- integrity ------------------------------------------------------------------------------


@pytest.mark.parametrize("keep_original", [False, True])
def test_received_bytes_are_hashed_and_kept_only_on_request(keep_original: bool) -> None:
    data = oriented_jpeg(6)

    photo = process_photo(data, keep_original=keep_original)

    assert isinstance(photo, ProcessedPhoto)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.size_bytes == len(data)
    assert photo.original == (data if keep_original else None)


def test_quality_setting_changes_the_output_size() -> None:
    im = upright_picture().resize((240, 160))
    im.paste((30, 200, 60), (100, 40, 200, 140))
    data = encode(im, "PNG")

    small = process_photo(data, quality=30)
    large = process_photo(data, quality=95)

    assert len(small.display.data) < len(large.display.data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp41", None),
        (b"GIF89a", None),
        (b"BM", None),
        (b"<svg", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
        (b"", None),
    ],
)
def test_format_is_sniffed_from_magic_bytes(data: bytes, expected: str | None) -> None:
    assert sniff_format(data) == expected
