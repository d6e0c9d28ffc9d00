"""Photo files for logged-in users, and the `flask photos` commands.

The re-encoded copies (thumbnail, display) are served only through this view with its
login check or the API's (`/api/v1/photos/{id}/{variant}`, for a token), never from a
static path (gemba/photos/serving.py). The uploaded bytes, where a site keeps them, only
through `serve_original`: to admins, as a logged download.
"""

from __future__ import annotations

import contextlib
import time
import uuid

import click
from flask_babel import gettext as _
from flask_login import login_required

from gemba.accounts.security import role_required
from gemba.capture import trash
from gemba.cli import in_terminal_language
from gemba.extensions import db
from gemba.models import Photo, Role, Site
from gemba.photos import bp, moving, reblurring, serving
from gemba.photos import service as photos
from gemba.photos.store import LocalPhotoStore, PhotoStore
from gemba.platform.database import transaction


@bp.get("/photos/<uuid:photo_id>/<any(thumb, display):variant>")
@login_required
def serve_photo(photo_id: uuid.UUID, variant: str):
    """A photo's thumbnail or display copy, for any logged-in user whose role the site
    shows its photos to (everyone may read records)."""
    return serving.copy_response(db.get_or_404(Photo, photo_id), variant)


@bp.get("/photos/<uuid:photo_id>/original")
@role_required(Role.admin)
def serve_original(photo_id: uuid.UUID):
    """A photo's original upload, unblurred, for admins only; every download is logged."""
    return serving.original_response(db.get_or_404(Photo, photo_id))


@bp.app_template_global()
def works_council_site(site_id: object) -> bool:
    """Whether the site with this id (as a form holds it) is a works-council site: the
    capture screens that know only a chosen site's id show the banner by it."""
    try:
        site = db.session.get(Site, uuid.UUID(str(site_id)))
    except ValueError:
        return False
    return site is not None and site.works_council


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


def _remove_orphans(target: PhotoStore, used: set[str], cutoff: float, dry_run: bool) -> None:
    """Remove what no row uses and is older than `cutoff`: a younger file may belong to an
    upload whose row is being written right now."""
    removed = kept = 0
    for item in target.objects():
        if item.key in used:
            kept += 1
        elif item.modified < cutoff:
            _remove(item.name, dry_run, lambda key=item.key: target.delete(key))
            removed += 1
    if isinstance(target, LocalPhotoStore):
        for path in target.leftovers():
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mtime < cutoff:
                    shown = path.relative_to(target.root).as_posix()
                    _remove(shown, dry_run, lambda path=path: path.unlink(missing_ok=True))
                    removed += 1
    if dry_run:
        said = _(
            "%(kept)d photo files in use, %(removed)d would remove.", kept=kept, removed=removed
        )
    else:
        said = _("%(kept)d photo files in use, %(removed)d removed.", kept=kept, removed=removed)
    click.echo(said)


def _remove(shown: str, dry_run: bool, remove) -> None:
    if dry_run:
        click.echo(_("would remove %(path)s", path=shown))
    else:
        click.echo(_("removing %(path)s", path=shown))
        remove()


@bp.cli.command("blur")
@click.option("--dry-run", is_flag=True, help="List the photos it would change, change nothing.")
@click.option("--site", "site_id", type=click.UUID, help="Only this site.")
@in_terminal_language
def blur(dry_run: bool, site_id: uuid.UUID | None) -> None:
    """Blur the faces in photos stored before faces were blurred, and remove the originals
    a works-council site still keeps (docs/privacy.md).

    One photo at a time, each in its own transaction: resumable, and a second run finds
    nothing. A photo whose display copy is missing or unreadable is reported and skipped,
    and the run then exits with 1.
    """
    if site_id is not None and db.session.get(Site, site_id) is None:
        raise click.UsageError(_("No site has the id %(id)s.", id=site_id))

    def tell(outcome: reblurring.Outcome) -> None:
        for line in reblurring.report(outcome, dry_run=dry_run):
            click.echo(line)

    summary = reblurring.run(site_id, dry_run=dry_run, each=tell)
    click.echo(reblurring.summary_line(summary, dry_run=dry_run))
    if summary.skipped:
        raise SystemExit(1)


@bp.cli.command("migrate")
@click.option("--to", "kind", type=click.Choice(["s3", "local"]), required=True)
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@in_terminal_language
def migrate(kind: str, quiet: bool) -> None:
    """Copy every photo the database names into the other store, checked by SHA-256.

    Resumable (photos already there are skipped) and safe to run while the app serves:
    the current store is left as it was. Switch GEMBA_PHOTO_STORE when the run reports
    nothing missing or failed, then run it once more for photos uploaded meanwhile.
    """
    from flask import current_app

    source = photos.store()
    target = photos.make_store(current_app.config, current_app.instance_path, kind)
    if repr(source) == repr(target):
        raise click.ClickException(_("The photos are already in that store."))
    keys = photos.used_keys() | trash.kept_photo_keys()

    def progress(key: str, outcome: str) -> None:
        if not quiet and outcome != "present":
            click.echo(f"{outcome}: {key}")

    moved = moving.move_photos(source, target, keys, progress)
    click.echo(
        _(
            "%(copied)d copied, %(present)d already there, %(missing)d missing, %(failed)d failed.",
            copied=len(moved.copied),
            present=len(moved.present),
            missing=len(moved.missing),
            failed=len(moved.failed),
        )
    )
    if not moved.complete:
        raise SystemExit(1)
