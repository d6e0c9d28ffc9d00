"""The one-click unsubscribe page an e-mail links to: no login, the signed token says who
and which kind; the page's button still carries a CSRF token, so no other site can post it."""

from __future__ import annotations

from flask import render_template

from gemba.accounts.forms import EmptyForm
from gemba.notices import KINDS, bp, preferences


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Confirm, then turn off the kind of notice the link was sent for."""
    found = preferences.read_token(token)
    if found is None:
        return render_template("notices/unsubscribe.html", invalid=True), 400
    user, kind = found
    label = KINDS.get(kind, "Your daily digest")
    form = EmptyForm()
    if form.validate_on_submit():
        kinds = preferences.unsubscribe(user, kind)
        done = [KINDS[k] for k in kinds]
        return render_template("notices/unsubscribe.html", done=done, label=label, user=user)
    return render_template("notices/unsubscribe.html", form=form, label=label, user=user)
