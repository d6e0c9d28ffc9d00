"""Log in, log out, first-run setup and the profile page."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from gemba.accounts import bp
from gemba.accounts import services as accounts
from gemba.accounts.forms import (
    EmptyForm,
    LanguageForm,
    LoginForm,
    PasswordForm,
    SetupForm,
    TokenForm,
)
from gemba.accounts.ratelimit import (
    limit_login_per_account,
    limit_login_per_address,
    mark_failed_login,
)
from gemba.extensions import db
from gemba.models import ApiToken, Role, utcnow
from gemba.models.accounts import TokenScope
from gemba.notices import preferences as notice_preferences
from gemba.notices.forms import NoticesForm
from gemba.platform.redirects import local_path

_SETUP_EXEMPT = {"auth.setup", "static"}


@bp.before_app_request
def require_setup():
    """Until the first admin exists, every page leads to the setup page."""
    if current_app.extensions.get("gemba_has_users"):
        return None
    if accounts.user_count() > 0:
        current_app.extensions["gemba_has_users"] = True
        return None
    if request.endpoint in _SETUP_EXEMPT or (request.endpoint or "").startswith("api."):
        return None
    return redirect(url_for("auth.setup"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first admin; gone once any user exists."""
    if accounts.user_count() > 0:
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, Role.admin)
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            _start_session(user)
            flash(_("Welcome! Add a site, then start your first walk."), "success")
            return redirect(url_for("manage.sites"))
    return render_template("auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limit_login_per_address
@limit_login_per_account
def login():
    """Log in by e-mail and password; one message for every failure."""
    if current_user.is_authenticated:
        return redirect(url_for("capture.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            mark_failed_login()
            form.password.errors.append(_("E-mail or password is wrong."))
        else:
            _start_session(user, remember=form.remember.data)
            return redirect(_safe_next() or url_for("capture.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out this browser; with `everywhere` set, every session of the user ends.

    POST with CSRF, so no link can log someone out.
    """
    form = EmptyForm()
    if form.validate_on_submit():
        if request.form.get("everywhere") and current_user.is_authenticated:
            accounts.end_sessions(current_user._get_current_object())
        session.clear()  # first: logout_user() then notes that a remember cookie must go
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Change your password, manage your API tokens, choose your e-mail notices."""
    form = PasswordForm()
    token_form = TokenForm(prefix="token")
    notices_form = NoticesForm(prefix="notices", data=notice_preferences.modes_for(current_user.id))
    language_form = LanguageForm(prefix="language", data={"language": current_user.language})
    new_token = None
    if request.method == "POST" and request.form.get("action") == "password":
        if form.validate():
            if not current_user.check_password(form.current.data):
                form.current.errors.append(_("That is not your current password."))
            else:
                try:
                    accounts.set_password(current_user, form.password.data, by=current_user)
                except accounts.AccountError as exc:
                    form.password.errors.append(exc.message)
                else:
                    login_user(
                        current_user._get_current_object()
                    )  # keep this session, end the others
                    flash(
                        _(
                            "Password changed. Other sessions are logged out and your API "
                            "tokens revoked."
                        ),
                        "success",
                    )
                    return redirect(url_for("auth.profile"))
    elif request.form.get("action") == "language" and language_form.validate_on_submit():
        if _save_language(language_form):
            return redirect(url_for("auth.profile"))
    elif request.form.get("action") == "notices" and notices_form.validate_on_submit():
        notice_preferences.set_modes(current_user, notices_form.modes())
        flash(_("Notice settings saved."), "success")
        return redirect(url_for("auth.profile"))
    elif request.form.get("action") == "token" and token_form.validate_on_submit():
        scope = TokenScope.read if token_form.read_only.data else TokenScope.write
        new_token = accounts.create_token(current_user, token_form.name.data, scope=scope)
    tokens = [(token, accounts.token_expiry(token)) for token in accounts.live_tokens(current_user)]
    return render_template(
        "auth/profile.html",
        form=form,
        token_form=token_form,
        notices_form=notices_form,
        language_form=language_form,
        tokens=tokens,
        now=utcnow(),
        new_token=new_token,
        revoke_form=EmptyForm(),
    )


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    """Revoke one of your own tokens."""
    form = EmptyForm()
    token = db.session.get(ApiToken, token_id)
    if form.validate_on_submit() and token is not None and token.user_id == current_user.id:
        accounts.revoke_token(token)
        flash(_("Token revoked."), "success")
    return redirect(url_for("auth.profile"))


def _save_language(form: LanguageForm) -> bool:
    """Save the chosen language (empty: the browser's); the next page speaks it."""
    try:
        accounts.set_language(current_user, form.language.data or None)
    except accounts.AccountError as exc:
        form.language.errors.append(exc.message)
        return False
    refresh()  # the flash below is in the language just chosen
    flash(_("Language saved."), "success")
    return True


def _start_session(user, remember: bool = False) -> None:
    """Log the user in on a fresh session: nothing planted before login survives it."""
    session.clear()
    login_user(user, remember=remember)


def _safe_next() -> str | None:
    """Only a path of this app is a safe place to return to after login."""
    return local_path(request.args.get("next"))
