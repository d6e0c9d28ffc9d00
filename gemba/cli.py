"""Flask commands: users, tokens, demo data, gap recompute, e-mail notices.

What a command says is in the terminal's language (LC_ALL, LC_MESSAGES, then LANG, as
POSIX reads them: `LANG=de_DE.UTF-8` gives German), English for any other; each command
runs under `in_terminal_language`, inside its app context, where Flask-Babel's
`force_locale` picks the catalog without a request.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable, Mapping

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.platform.languages import DEFAULT, LANGUAGES, role_name


def terminal_language(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the terminal's locale: the first set of LC_ALL, LC_MESSAGES and
    LANG (`de_DE.UTF-8`, `pl_PL`, `es`), if Gemba speaks it; else English (`C`, unset)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else DEFAULT
    return DEFAULT


def in_terminal_language(command: Callable) -> Callable:
    """Run a command's body in the terminal's language (it needs the app context: put
    this under `with_appcontext`, or on a command of an AppGroup)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(terminal_language()):
            return command(*args, **kwargs)

    return run


user_cli = AppGroup("user", help="Manage users.")
token_cli = AppGroup("token", help="Manage API tokens.")
gaps_cli = AppGroup("gaps", help="Say-vs-do gaps.")


@user_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["observer", "analyst", "admin"]),
    default="observer",
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@in_terminal_language
def create_user(email: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password is prompted for, or read from standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, password, role)
    except accounts.AccountError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(_("Created %(role)s %(email)s.", role=role_name(user.role), email=user.email))


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="script", show_default=True, help="What the token is for.")
@click.option("--read-only", is_flag=True, help="Allow only GET, HEAD and OPTIONS requests.")
@click.option(
    "--days",
    type=click.IntRange(1, accounts.MAX_TOKEN_DAYS),
    help="Days until the token expires (default: GEMBA_TOKEN_DAYS, 90).",
)
@in_terminal_language
def create_token(email: str, name: str, read_only: bool, days: int | None) -> None:
    """Print a new API token for the user (the last line of output is the token)."""
    user = accounts.find_user(email)
    if user is None or not user.active:
        raise click.ClickException(_("No active user %(email)s.", email=email))
    scope = "read" if read_only else "write"
    token = accounts.create_token(user, name, scope=scope, days=days)
    expires = accounts.token_expiry(accounts.find_token(token))
    when = f"{expires:%Y-%m-%d %H:%M}"
    if read_only:
        said = _(
            "Read-only token for %(email)s, expires %(when)s UTC (shown once, keep it safe):",
            email=user.email,
            when=when,
        )
    else:
        said = _(
            "Token for %(email)s, expires %(when)s UTC (shown once, keep it safe):",
            email=user.email,
            when=when,
        )
    click.echo(said)
    click.echo(token)


@gaps_cli.command("recompute")
@in_terminal_language
def recompute_gaps() -> None:
    """Re-judge every statement against all evidence and update the gaps table."""
    from gemba.gaps import updates as gap_updates

    started = time.perf_counter()
    summary = gap_updates.recompute_all()
    took = time.perf_counter() - started
    click.echo(
        _(
            "Judged %(statements)d statements in %(seconds)s s: %(changed)d gaps changed, "
            "%(cleared)d cleared, %(gaps)d in all.",
            statements=summary["statements"],
            seconds=format_decimal(round(took, 2), "0.00"),  # 0.42 in English, 0,42 in German
            changed=summary["changed"],
            cleared=summary["cleared"],
            gaps=summary["gaps"],
        )
    )


@click.command("demo")
@with_appcontext
@click.option("--email", default="demo@example.com", show_default=True)
@click.option("--password", default="gemba-demo-walk", show_default=True)
@click.option(
    "--plans/--no-plans",
    default=True,
    show_default=True,
    help="Include the walk plans (two weeks of checklists) or only the three walks.",
)
@in_terminal_language
def demo(email: str, password: str, plans: bool) -> None:
    """Fill a realistic plant with walks, statements and facts, to see Gemba at work."""
    from gemba.ops import demo as demo_data

    summary = demo_data.load(email, password, plans=plans)
    click.echo(summary)


@click.command("export")
@with_appcontext
@click.option("--walk", "walk_id", type=click.UUID, help="Export this walk (and its site).")
@click.option("--site", "site_id", type=click.UUID, help="Export this whole site.")
@click.option("--photos", is_flag=True, help="Write a zip with the photos beside the document.")
@click.option("-o", "--output", default="-", help="File to write (standard output by default).")
@in_terminal_language
def export_records(walk_id, site_id, photos: bool, output: str) -> None:
    """Write a walk or a site as a Gemba JSON document, or with --photos as a zip."""
    from gemba.interchange import archives, exports
    from gemba.models import Site, Walk

    if (walk_id is None) == (site_id is None):
        raise click.UsageError(_("Give exactly one of --walk ID or --site ID."))
    if walk_id is not None:
        walk = db.session.get(Walk, walk_id)
        if walk is None:
            raise click.ClickException(_("No walk %(id)s.", id=walk_id))
        export = exports.walk_export(walk)
    else:
        site = db.session.get(Site, site_id)
        if site is None:
            raise click.ClickException(_("No site %(id)s.", id=site_id))
        export = exports.site_export(site)
    if photos:
        with click.open_file(output, "wb") as out:
            out.write(archives.archive(export))
    else:
        with click.open_file(output, "w", encoding="utf-8") as out:
            out.write(export.dumps())


@click.command("import")
@with_appcontext
@click.argument("file", type=click.File("rb"))
@click.option("--as", "email", required=True, help="Write the records as this user.")
@in_terminal_language
def import_records(file, email: str) -> None:
    """Import a Gemba JSON document or a zip with photos as a user: all or nothing; exit 1
    (with every reason) if anything was refused."""
    from gemba.interchange import archives, imports

    user = accounts.find_user(email)
    if user is None or not user.active:
        raise click.ClickException(_("No active user %(email)s.", email=email))
    try:
        imported = archives.import_file(user, file.read())
    except imports.DocumentInvalid as exc:
        fields = "".join(f"\n  {e.field}: {e.message}" for e in exc.errors)
        raise click.ClickException(exc.detail + fields) from None
    click.echo(_("Imported %(records)s", records=imported.describe()))


@click.command("notify")
@with_appcontext
@click.option("--digest", is_flag=True, help="Also send each user's daily digest (once a day).")
@in_terminal_language
def notify(digest: bool) -> None:
    """Send the e-mail notices due; safe to run from cron every few minutes.

    Each notice is sent once. If the SMTP server is down the run stops and exits 1, and
    the next run sends what this one could not.
    """
    from gemba.notices import sender

    done = sender.run()
    click.echo(
        _(
            "Notices: %(sent)d sent, %(pending)d kept for the digest, %(skipped)d turned off, "
            "%(refused)d refused by the mail server for good.",
            sent=done["sent"],
            pending=done["pending"],
            skipped=done["skipped"],
            refused=done["refused"],
        )
    )
    failed = done["failed"]
    if digest and not failed:
        digests = sender.send_digests()
        click.echo(_("Digests: %(sent)d sent.", sent=digests["sent"]))
        failed = digests["failed"]
    if failed:
        raise click.ClickException(_("The SMTP server refused; the rest is sent on the next run."))


webhooks_cli = AppGroup("webhooks", help="Webhooks: send the events queued for them.")


@webhooks_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, one delivery run every --interval.")
@click.option("--interval", type=click.IntRange(1, 3600), default=30, show_default=True)
@click.option(
    "--now", type=click.DateTime(), default=None, help="Act as if it were this UTC time (tests)."
)
@in_terminal_language
def deliver_webhooks(loop: bool, interval: int, now) -> None:
    """Queue what happened and send the webhook deliveries due, with retries; safe to run
    from cron every minute (two runs at once do not send a delivery twice)."""
    from datetime import UTC

    from gemba.webhooks import delivery

    while True:
        when = now.replace(tzinfo=UTC) if now else None
        done = delivery.run(when)
        click.echo(
            _(
                "Webhooks: %(queued)d queued, %(delivered)d delivered, %(retrying)d to retry, "
                "%(failed)d failed for good.",
                queued=done["queued"],
                delivered=done["delivered"],
                retrying=done["retrying"],
                failed=done["failed"],
            )
        )
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be removed, change nothing.")
@click.option("--site", "site_id", type=click.UUID, help="Only this site.")
@in_terminal_language
def retention(dry_run: bool, site_id) -> None:
    """Remove photos, quotes' words and notes older than each site's retention period.

    Safe from cron: no prompts, and a second run at the same time waits for the first and
    then finds nothing left to do (docs/retention.md)."""
    from gemba.models import Site
    from gemba.ops import retention as expiry

    if site_id is not None and db.session.get(Site, site_id) is None:
        raise click.UsageError(_("No site has the id %(id)s.", id=site_id))
    runs = expiry.run(site_id=site_id, dry_run=dry_run)
    for line in expiry.report(runs, dry_run=dry_run):
        click.echo(line)


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(user_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(gaps_cli)
    app.cli.add_command(demo)
    app.cli.add_command(export_records)
    app.cli.add_command(import_records)
    app.cli.add_command(notify)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(retention)


@click.command("backup")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@with_appcontext
@in_terminal_language
def backup(directory: str | None) -> None:
    """Write a consistent snapshot of the database and photos into DIRECTORY.

    DIRECTORY must be new or empty; it defaults to instance/backups/gemba-<time>.
    Safe while the app is serving.
    """
    from flask import current_app

    from gemba.ops.backup import digests, errors, snapshot

    try:
        target, manifest = snapshot.create(current_app, directory)
    except errors.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    tables = manifest["database"]["tables"]
    rows = sum(table["rows"] for name, table in tables.items() if name not in digests.BOOKKEEPING)
    click.echo(
        _(
            "Backed up %(rows)d rows in %(tables)d tables and %(photos)d photos to %(target)s",
            rows=rows,
            tables=len(tables),
            photos=manifest["photos"]["count"],
            target=target,
        )
    )


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the data of an instance that has some.")
@with_appcontext
@in_terminal_language
def restore(directory: str, force: bool) -> None:
    """Bring back the snapshot in DIRECTORY into this (empty) instance.

    Stop the app servers first: the database and the photos are replaced.
    """
    from flask import current_app

    from gemba.ops.backup import digests, errors
    from gemba.ops.backup import restore as restoring

    try:
        manifest = restoring.restore(current_app, directory, force=force)
    except errors.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    tables = manifest["database"]["tables"]
    rows = sum(table["rows"] for name, table in tables.items() if name not in digests.BOOKKEEPING)
    click.echo(
        _(
            "Restored %(rows)d rows and %(photos)d photos from the backup of %(created)s.",
            rows=rows,
            photos=manifest["photos"]["count"],
            created=manifest["created_at"],
        )
    )


def register_backup(app: Flask) -> None:
    """Attach `flask backup` and `flask restore`."""
    app.cli.add_command(backup)
    app.cli.add_command(restore)
