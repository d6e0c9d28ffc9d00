"""Time and memory of the photo pipeline, with and without blurring faces, and of a naive one.

    .venv/bin/python benchmarks/photo_pipeline.py [PHOTO.jpg] [--runs 15] [--no-heic]

Without a photo it generates a 12-megapixel phone-like JPEG (4032×3024, EXIF
orientation 6, GPS, quality 92; shapes, gradients and grain so it weighs
what a phone photo weighs, and three people whose faces are 160, 240 and
360 px wide upright, i.e. 80 to 180 px in the display copy, so the blur has
work to do) and an HEIC of the same picture, tiled in 512-pixel squares as an
iPhone writes it.

Time is the median of --runs calls in this process after one warm-up call,
the pipelines taking turns: Gemba's `process_photo` with `detect_faces=False`
(no boxes: nothing to blur), the same with `detect_faces=True` (detect, then
blur what was found), and the naive one. The faces' price is the ratio of the
two Gemba figures (target: at most 1.30).

Peak memory is measured in fresh subprocesses, because Pillow and MediaPipe
allocate in C where tracemalloc cannot see them. Each child imports
everything and loads the face detector and runs it once on a small picture,
as a server process has done after its first photo, reads the photo, then
resets its high-water mark (Linux: /proc/self/clear_refs), runs one pipeline
once and reports its peak resident set size (VmHWM). A baseline child does
the same without the pipeline, and the difference is what one photo costs.
Each child runs three times and the median counts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from PIL import (  # noqa: E402
    ExifTags,
    Image,
    ImageChops,
    ImageDraw,
    ImageFilter,
    ImageOps,
    ImageStat,
)

from gemba.domain import faces  # noqa: E402
from gemba.domain.photos import process_photo  # noqa: E402
from tests.faces_pictures import person  # noqa: E402

SIZE = (4032, 3024)
TIME_TARGET = 0.45  # project time / naive time
FACES_TARGET = 1.30  # project time with faces detected and blurred / without
# Upright face widths and where the faces go (fractions of the upright picture).
PEOPLE = ((360, 0.12, 0.30), (240, 0.48, 0.38), (160, 0.78, 0.42))
MEMORY_TARGET_MB = 80
Size = tuple[int, int]


# --- the test photo -------------------------------------------------------------------------


def _noise(size: Size, seed: int, amplitude: float) -> Image.Image:
    """Reproducible grey noise centred on 128, within ±amplitude."""
    raw = Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))
    return raw.point(lambda v: 128 + (v - 128) * amplitude / 128)


def _channel(gradient: Image.Image, seed: int) -> Image.Image:
    """A gradient with blotchy detail and fine grain, roughly how a phone photo compresses."""
    width, height = SIZE
    base = gradient.resize(SIZE, Image.Resampling.BILINEAR)
    blotches = (
        _noise((width // 4, height // 4), seed, 60)
        .filter(ImageFilter.GaussianBlur(1.5))
        .resize(SIZE, Image.Resampling.BICUBIC)
    )
    return ImageChops.add(
        ImageChops.add(base, blotches, offset=-128), _noise(SIZE, seed + 1, 24), offset=-128
    )


def make_phone_photo() -> Image.Image:
    """The picture a 12-megapixel phone would take of a cluttered workbench, more or less."""
    im = Image.merge(
        "RGB",
        [
            _channel(Image.linear_gradient("L"), seed=1),
            _channel(Image.radial_gradient("L"), seed=3),
            _channel(Image.linear_gradient("L").rotate(90), seed=5),
        ],
    )
    rng = random.Random(9)
    draw = ImageDraw.Draw(im)
    for _ in range(150):  # hard edges: tools, labels, cables
        x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        box = (x, y, x + rng.randrange(40, 600), y + rng.randrange(40, 400))
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle(box, outline=colour, width=rng.randrange(2, 12))
        else:
            draw.ellipse(box, fill=colour)
    return add_people(im)


def add_people(stored: Image.Image) -> Image.Image:
    """Paste the astronaut's head and shoulders, upright as the viewer will see them."""
    upright = stored.transpose(Image.Transpose.ROTATE_270)  # what orientation 6 asks for
    for i, (face_edge, x, y) in enumerate(PEOPLE):
        patch, mask, _ = person(face_edge, tint=(1.0, 0.9 + 0.05 * i, 0.85 + 0.1 * i))
        upright.paste(patch, (round(x * upright.width), round(y * upright.height)), mask)
    return upright.transpose(Image.Transpose.ROTATE_90)


def phone_exif() -> bytes:
    """EXIF as a phone held in portrait writes it."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Benchmark"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 08:12:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 12.0)
    return exif.tobytes()


# --- the pipelines --------------------------------------------------------------------------


def naive_pipeline(data: bytes, display_size: Size, thumb_size: Size) -> tuple[bytes, bytes]:
    """What most code does: full decode, exif_transpose, LANCZOS to both sizes, save.

    The thumbnail is made from the display copy, as the project does, so the
    comparison is not flattered by a second full-size resize.
    """
    im = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    display = im.resize(display_size, Image.Resampling.LANCZOS)
    thumb = display.resize(thumb_size, Image.Resampling.LANCZOS)
    encoded = []
    for rendition in (display, thumb):
        out = io.BytesIO()
        rendition.convert("RGB").save(out, "JPEG", quality=82)
        encoded.append(out.getvalue())
    return encoded[0], encoded[1]


def child(mode: str, path: str, display: str, thumb: str) -> None:
    """In a fresh process: run one pipeline (none for "baseline") and print peak RSS as JSON."""
    import pillow_heif

    pillow_heif.register_heif_opener()  # in every child, so its cost is in the baseline
    # Every child has the detector loaded and run once on a display-sized picture, as a
    # server has after its first photo: the model's memory is the process's, not the photo's.
    faces.warm_up()
    faces.detect_faces(Image.new("RGB", (2016, 1512), "grey"))
    data = Path(path).read_bytes()
    reset_peak_rss()
    if mode == "project":
        process_photo(data, detect_faces=False)
    elif mode == "faces":
        process_photo(data, detect_faces=True)
    elif mode == "naive":
        naive_pipeline(data, _parse_size(display), _parse_size(thumb))
    print(json.dumps({"peak_mb": peak_rss_mb()}))


def reset_peak_rss() -> None:
    """Start the high-water mark afresh, so loading the detector's peak does not hide the photo's.

    Linux only (since 4.0); elsewhere the peak is the whole life of the child.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB.

    Linux's ru_maxrss is not enough here: a child started by a big parent
    inherits the parent's high-water mark through fork/exec, so every child
    of this benchmark would report at least the parent's size. VmHWM belongs
    to the child's own address space, so it is read first.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 1_048_576 if sys.platform == "darwin" else peak / 1024


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    """Figures for one photo."""

    label: str
    size_bytes: int
    source: Size
    display: Size
    thumb: Size
    project_ms: float
    faces_ms: float
    naive_ms: float
    project_cpu_ms: float
    faces_cpu_ms: float
    project_mb: float
    faces_mb: float
    naive_mb: float
    psnr_db: float
    blurred: int


def median_ms(pipelines: list[Callable[[], object]], runs: int) -> tuple[list[float], list[float]]:
    """Median wall and CPU time (ms) of each pipeline over `runs` calls, after one warm-up each.

    The pipelines take turns, so a busy moment on the machine slows them alike
    instead of landing on whichever happened to be running. CPU time (the whole
    process's, MediaPipe's threads included) is what the work costs when other
    processes share the cores; wall time is what the observer waits.
    """
    walls: list[list[float]] = [[] for _ in pipelines]
    cpus: list[list[float]] = [[] for _ in pipelines]
    for pipeline in pipelines:
        pipeline()
    for _ in range(runs):
        for pipeline, wall, cpu in zip(pipelines, walls, cpus, strict=True):
            start, cpu_start = time.perf_counter(), time.process_time()
            pipeline()
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
    return (
        [statistics.median(samples) * 1000 for samples in walls],
        [statistics.median(samples) * 1000 for samples in cpus],
    )


def child_peak_mb(mode: str, path: Path, display: Size, thumb: Size, repeats: int = 3) -> float:
    """Median peak RSS of `repeats` fresh processes running one pipeline on the photo."""
    args = [mode, str(path), _format_size(display), _format_size(thumb)]
    peaks = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True
        )
        peaks.append(json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"])
    return statistics.median(peaks)


def psnr(a: bytes, b: bytes) -> float:
    """Peak signal-to-noise ratio between two same-sized images, in dB (higher: closer)."""
    with Image.open(io.BytesIO(a)) as first, Image.open(io.BytesIO(b)) as second:
        diff = ImageChops.difference(first.convert("RGB"), second.convert("RGB"))
    mse = statistics.fmean(rms**2 for rms in ImageStat.Stat(diff).rms)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def measure(label: str, path: Path, runs: int) -> Result:
    """Time and memory of the pipelines on one photo file."""
    data = path.read_bytes()
    photo = process_photo(data, detect_faces=True)
    display = (photo.display.width, photo.display.height)
    thumb = (photo.thumb.width, photo.thumb.height)
    naive_display, _ = naive_pipeline(data, display, thumb)
    baseline = child_peak_mb("baseline", path, display, thumb)
    (project_ms, faces_ms, naive_ms), (project_cpu, faces_cpu, _) = median_ms(
        [
            lambda: process_photo(data, detect_faces=False),
            lambda: process_photo(data, detect_faces=True),
            lambda: naive_pipeline(data, display, thumb),
        ],
        runs,
    )
    return Result(
        label=label,
        size_bytes=len(data),
        source=(photo.source_width, photo.source_height),
        display=display,
        thumb=thumb,
        project_ms=project_ms,
        faces_ms=faces_ms,
        naive_ms=naive_ms,
        project_cpu_ms=project_cpu,
        faces_cpu_ms=faces_cpu,
        project_mb=child_peak_mb("project", path, display, thumb) - baseline,
        faces_mb=child_peak_mb("faces", path, display, thumb) - baseline,
        naive_mb=child_peak_mb("naive", path, display, thumb) - baseline,
        psnr_db=psnr(process_photo(data, detect_faces=False).display.data, naive_display),
        blurred=len(photo.blurred),
    )


def print_table(results: list[Result], runs: int) -> None:
    """One row per photo and pipeline, the ratios, then the targets."""
    print(f"\ntime: median of {runs} runs; memory: peak RSS above a baseline process\n")
    header = f"{'photo':<6}{'pipeline':<14}{'median ms':>10}{'peak MB':>9}  {'display':<11}thumb"
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.label:<6}{'project':<14}{r.project_ms:>10.0f}{r.project_mb:>9.1f}  "
            f"{_format_size(r.display):<11}{_format_size(r.thumb)}"
        )
        print(f"{r.label:<6}{'project+faces':<14}{r.faces_ms:>10.0f}{r.faces_mb:>9.1f}")
        print(f"{r.label:<6}{'naive':<14}{r.naive_ms:>10.0f}{r.naive_mb:>9.1f}")
        time_ratio, memory_ratio = r.project_ms / r.naive_ms, r.project_mb / r.naive_mb
        print(f"{r.label:<6}{'project/naive':<14}{time_ratio:>10.2f}{memory_ratio:>9.2f}")
        print(f"{r.label:<6}{'faces/project':<14}{r.faces_ms / r.project_ms:>10.2f}")
        print(
            f"{r.label:<6}CPU ms: project {r.project_cpu_ms:.0f}, project+faces "
            f"{r.faces_cpu_ms:.0f}, ratio {r.faces_cpu_ms / r.project_cpu_ms:.2f}"
        )
    print()
    for r in results:
        print(
            f"{r.label}: {_format_size(r.source)} after orientation, {r.size_bytes / 1e6:.1f} MB; "
            f"{r.blurred} faces blurred; project display vs naive display: PSNR {r.psnr_db:.1f} dB"
        )
    jpeg = results[0]
    ratio, faces_ratio = jpeg.project_ms / jpeg.naive_ms, jpeg.faces_ms / jpeg.project_ms
    cpu_ratio = jpeg.faces_cpu_ms / jpeg.project_cpu_ms
    verdicts = [
        f"time {ratio:.2f} × naive (<= {TIME_TARGET}) {_verdict(ratio <= TIME_TARGET)}",
        f"faces {faces_ratio:.2f} × without (<= {FACES_TARGET}) "
        + _verdict(faces_ratio <= FACES_TARGET),
        f"faces in CPU time {cpu_ratio:.2f} × without " + _verdict(cpu_ratio <= FACES_TARGET),
        f"peak with faces {jpeg.faces_mb:.1f} MB (< {MEMORY_TARGET_MB} MB) "
        + _verdict(jpeg.faces_mb < MEMORY_TARGET_MB),
    ]
    print("\ntargets on the JPEG: " + "; ".join(verdicts))


def _verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


def _format_size(size: Size) -> str:
    return f"{size[0]}x{size[1]}"


def _parse_size(text: str) -> Size:
    width, height = text.split("x")
    return int(width), int(height)


def main() -> None:
    """Generate or take a photo, measure, print the table."""
    parser = argparse.ArgumentParser(description="Benchmark the photo pipeline.")
    parser.add_argument("photo", nargs="?", type=Path, help="a JPEG to measure (default: generate)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per pipeline")
    parser.add_argument("--no-heic", action="store_true", help="skip the HEIC measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        jpeg: Path = args.photo or Path(workdir) / "phone.jpg"
        if args.photo is None:
            make_phone_photo().save(jpeg, "JPEG", quality=92, exif=phone_exif())
        print(f"JPEG: {jpeg} ({jpeg.stat().st_size / 1e6:.1f} MB)", flush=True)
        results = [measure("JPEG", jpeg, args.runs)]
        if not args.no_heic:
            import pillow_heif

            pillow_heif.register_heif_opener()
            heic = Path(workdir) / "phone.heic"
            with Image.open(jpeg) as source:
                source.save(heic, "HEIF", quality=60, tile_size=512, exif=source.info.get("exif"))
            print(f"HEIC: the same picture, {heic.stat().st_size / 1e6:.1f} MB", flush=True)
            results.append(measure("HEIC", heic, args.runs))
    print_table(results, args.runs)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:6])
    else:
        main()
