"""An installed Gemba carries every file it reads besides its Python modules."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gemba"


def test_every_data_file_is_in_the_package_data():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["gemba"]
    data = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
        and path.name != "README.md"
    }
    covered = {path for pattern in globs for path in PACKAGE.glob(pattern) if path.is_file()}
    assert sorted(p.relative_to(PACKAGE).as_posix() for p in data - covered) == []
