"""Draw the app's PNG icons from the design of static/icons/gemba.svg, with Pillow.

Run `python -m gemba.offline.icons` after changing the design; the PNGs are committed,
so serving them needs nothing but the files.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (0x1F, 0x4E, 0x5F, 255)
ACCENT = (0xF2, 0xB1, 0x34, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4
PALETTE = 64  # drawn large, then scaled down: smooth edges without an SVG renderer
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def draw_icon(size: int, *, maskable: bool = False) -> Image.Image:
    """The icon at `size` px; a maskable one fills its square, the mark inside the safe zone."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = big / 64  # the SVG's view box is 64 x 64
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BRAND)
        # Platforms may crop a maskable icon to a circle of 80 % diameter: shrink the mark.
        scale, offset = 0.72, big * 0.14
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=BRAND)
        scale, offset = 1.0, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * unit * scale, offset + y * unit * scale

    stroke = 5 * unit * scale
    # The ring: circle at (24, 32), radius 12, stroke 5.
    cx, cy = at(24, 32)
    outer, inner = (12 + 2.5) * unit * scale, (12 - 2.5) * unit * scale
    draw.ellipse((cx - outer, cy - outer, cx + outer, cy + outer), fill=WHITE)
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), fill=BRAND)
    # Three lines with round caps: the notes taken on the floor.
    for x1, y, x2 in ((36, 20, 50), (36, 32, 50), (36, 44, 46)):
        (ax, ay), (bx, _) = at(x1, y), at(x2, y)
        draw.line((ax, ay, bx, ay), fill=ACCENT, width=round(stroke))
        r = stroke / 2
        for px in (ax, bx):
            draw.ellipse((px - r, ay - r, px + r, ay + r), fill=ACCENT)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_all(folder: Path = OUT) -> list[Path]:
    """Write the manifest's icons into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, size, maskable in (
        ("gemba-192.png", 192, False),
        ("gemba-512.png", 512, False),
        ("gemba-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        path = folder / name
        icon = draw_icon(size, maskable=maskable)
        if name.startswith("apple"):  # iOS draws transparency black: no alpha channel
            icon = icon.convert("RGB")
        # Four colours and their anti-aliased edges fit a 64-colour palette: a tenth the bytes.
        icon.quantize(PALETTE, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)
        made.append(path)
    return made


if __name__ == "__main__":
    for written in write_all():
        print(written)
