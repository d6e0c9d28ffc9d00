"""The profile page's notice choices: one select per kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from gemba.models import NoticeMode
from gemba.notices import KINDS
from gemba.platform.forms import BaseForm

CHOICES = [
    SelectChoice(NoticeMode.immediate.value, _l("Right away")),
    SelectChoice(NoticeMode.digest.value, _l("In the daily digest")),
    SelectChoice(NoticeMode.none.value, _l("Never")),
]


class NoticesForm(BaseForm):
    """How the user wants each kind of notice by e-mail."""

    def modes(self) -> dict[str, str]:
        """The chosen mode of every kind."""
        return {kind: self[kind].data for kind in KINDS}


for _kind, _label in KINDS.items():
    setattr(NoticesForm, _kind, SelectField(_label, choices=CHOICES, validators=[InputRequired()]))
