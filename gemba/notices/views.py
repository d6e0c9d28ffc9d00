"""The unsubscribe page an e-mail links to: no login, the signed token says who and which
kind. A person confirms with the page's button, which carries a CSRF token; a mail
client's one-click unsubscribe (RFC 8058: a POST of `List-Unsubscribe=One-Click` to the
link, no page, no cookie) is trusted on the token alone, as that RFC intends.

The page speaks the e-mail's reader's own language when they chose one (the token says
who they are), else the request's (their browser's)."""

from __future__ import annotations

import contextlib

from flask import current_app, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from gemba.accounts.forms import EmptyForm
from gemba.extensions import csrf
from gemba.notices import KINDS, bp, preferences, reader_language

ONE_CLICK = "One-Click"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the button's form checks its own token; a one-click POST has none (RFC 8058)
def unsubscribe(token: str):
    """Confirm, then turn off the kind of notice the link was sent for."""
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == ONE_CLICK
    if request.method == "POST" and not one_click and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # the button's POST: refused without the page's token, as anywhere
    found = preferences.read_token(token)
    if found is None:
        return render_template("notices/unsubscribe.html", invalid=True), 400
    user, kind = found
    chosen = force_locale(reader_language(user)) if user.language else contextlib.nullcontext()
    with chosen:
        label = str(KINDS.get(kind, _l("Your daily digest")))
        form = EmptyForm()
        if one_click or form.validate_on_submit():
            kinds = preferences.unsubscribe(user, kind)
            done = [str(KINDS[k]) for k in kinds]
            return render_template("notices/unsubscribe.html", done=done, label=label, user=user)
        return render_template("notices/unsubscribe.html", form=form, label=label, user=user)
