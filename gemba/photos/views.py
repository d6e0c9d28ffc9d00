"""Photo files for logged-in users, and the `flask photos` commands.

Only the re-encoded copies (thumbnail, display) are ever served, and only through this
view with its login check or the API's (`/api/v1/photos/{id}/{variant}`, for a token):
never from a static path, never the uploaded bytes (gemba/photos/serving.py).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import click
from flask_babel import gettext as _
from flask_login import login_required

from gemba.capture import trash
from gemba.cli import in_terminal_language
from gemba.extensions import db
from gemba.models import Photo
from gemba.photos import bp, serving
from gemba.photos import service as photos
from gemba.photos.store import LocalPhotoStore
from gemba.platform.database import transaction


@bp.get("/photos/<uuid:photo_id>/<any(thumb, display):variant>")
@login_required
def serve_photo(photo_id: uuid.UUID, variant: str):
    """A photo's thumbnail or display copy, for any logged-in user (everyone may read records)."""
    return serving.copy_response(db.get_or_404(Photo, photo_id), variant)


@bp.cli.command("sweep")
@click.option(
    "--min-age",
    default=3600,
    show_default=True,
    help="Only remove files older than this many seconds (uploads in flight are younger).",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
@in_terminal_language
def sweep(min_age: int, dry_run: bool) -> None:
    """Remove photo files no photo refers to, and temporary files a crash left behind.

    Deletes older than the restore period (GEMBA_RESTORE_DAYS) are forgotten first; the
    files of younger ones are kept, so an admin can still restore them. A backup in
    progress holds the photo lock, so the sweep waits for it to finish.
    """
    target = photos.store()
    if not isinstance(target, LocalPhotoStore):
        raise click.ClickException(_("Only the local photo store can be swept."))
    with photos.files_lock(shared=False):
        if not dry_run:
            with transaction():
                forgotten = trash.purge_expired()
            click.echo(
                _(
                    "%(count)d deleted records past the restore period forgotten.",
                    count=forgotten,
                )
            )
        used = photos.used_keys() | trash.kept_photo_keys()
        _remove_orphans(target, used, time.time() - min_age, dry_run)


def _remove_orphans(target: LocalPhotoStore, used: set[str], cutoff: float, dry_run: bool) -> None:
    removed = kept = 0
    for path in _files(target.root):
        try:
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue
        orphan = path.name.endswith(".tmp") or (_is_key(path.name) and path.name not in used)
        if not orphan:
            kept += 1
            continue
        if not old:
            continue
        shown = path.relative_to(target.root)
        if dry_run:
            click.echo(_("would remove %(path)s", path=shown))
        else:
            click.echo(_("removing %(path)s", path=shown))
        if not dry_run:
            path.unlink(missing_ok=True)
        removed += 1
    if dry_run:
        said = _(
            "%(kept)d photo files in use, %(removed)d would remove.", kept=kept, removed=removed
        )
    else:
        said = _("%(kept)d photo files in use, %(removed)d removed.", kept=kept, removed=removed)
    click.echo(said)


def _files(root: Path):
    """Every file two levels down in the store (root/ab/cd/…)."""
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not first.is_dir():
            continue
        for second in sorted(first.iterdir()):
            if second.is_dir():
                yield from sorted(p for p in second.iterdir() if p.is_file())


def _is_key(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)
