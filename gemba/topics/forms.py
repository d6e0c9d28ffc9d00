"""The topic pages' forms: merge into another topic, add a synonym, name the topic in
another language, and the bare confirm forms (undo a merge, remove a synonym) that exist
for their CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from gemba.models import Topic
from gemba.platform.forms import BaseForm
from gemba.platform.languages import LANGUAGES
from gemba.topics import names, queries, translations
from gemba.topics.queries import ALIKE, NamesPanel

NAME_MAX = 200
# Topic ids are database integers: a longer run of digits is no topic, and sending it to
# the database would overflow the column instead of being refused.
ID_DIGITS = 18


class MergeForm(BaseForm):
    """Fold this topic into another of its site: a select on the topic page (most alike
    first), a hidden field on the duplicates page. Which topics are allowed is the merge
    service's decision, so its refusal is shown by the field."""

    target = SelectField(
        _l("Merge into"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose the topic to merge into."))],
    )

    def validate_target(self, field: SelectField) -> None:
        value = field.data or ""
        if not value.isascii() or not value.isdigit() or len(value) > ID_DIGITS:
            raise ValidationError(_l("Choose a topic from the list."))

    def target_id(self) -> int:
        """The chosen topic's id (after validation)."""
        return int(self.target.data)


class SynonymForm(BaseForm):
    """Another name that leads to this topic when someone types it."""

    name = StringField(
        _l("Another name"),
        validators=[
            DataRequired(message=_l("Type the other name.")),
            Length(max=NAME_MAX, message=_l("Keep the name under %(n)s characters.", n=NAME_MAX)),
        ],
    )


class TranslationForm(BaseForm):
    """The topic's name in one language (sent hidden, one form per language on the page):
    save it, or clear it with the second button."""

    language = HiddenField()
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Type the name, or clear it.")),
            Length(
                max=translations.NAME_MAX,
                message=_l("Keep the name to %(n)s characters or fewer.", n=translations.NAME_MAX),
            ),
        ],
    )
    clear = SubmitField(_l("Clear"))

    def for_language(self, code: str) -> TranslationForm:
        """The form as the page shows it for one language: ids of its own, so each
        language's field and error have theirs (several of these forms share a page)."""
        self.language.data = code
        self.language.id = f"translation-language-{code}"
        self.name.id = f"translation-{code}"
        self.clear.id = f"translation-clear-{code}"
        return self


@dataclass(frozen=True)
class LanguageRow:
    """One language in the topic page's "Names in other languages"."""

    code: str
    label: str  # the language's own name for itself ("Español")
    current: str | None
    form: TranslationForm | None  # None for readers


def translations_context(
    topic: Topic, editable: bool, sent: TranslationForm | None = None
) -> dict[str, Any]:
    """The topic's names in other languages, a form per language for those who may change
    them (`sent` is the one sent back with errors), and the heading's name in the reader's
    language."""
    current = names.translated_by_language(topic.id)
    rows = []
    for code in translations.offered_languages(topic):
        if not editable and code not in current:
            continue
        form = None
        if editable:
            sent_here = sent is not None and sent.language.data == code
            form = sent if sent_here else TranslationForm(formdata=None, name=current.get(code))
            form.for_language(code)
        rows.append(LanguageRow(code, LANGUAGES[code], current.get(code), form))
    shown = names.ShownName(topic.name, current.get(str(get_locale())))
    return {"translations": rows, "shown_topic_name": shown}


class ConfirmForm(BaseForm):
    """A button that changes something: its CSRF token is all it sends."""


def panel_forms(panel: NamesPanel, **forms: BaseForm) -> dict[str, BaseForm]:
    """The topic page's forms, with the merge targets most alike first; forms given (the
    ones just sent back with errors) are kept as they are."""
    merge_form = forms.get("merge_form") or MergeForm(formdata=None)
    labels = [
        (str(t.id), f"{t.name} · {t.similarity:.0f} % alike" if t.similarity >= ALIKE else t.name)
        for t in panel.targets
    ]
    merge_form.target.choices = [("", _("Choose a topic…")), *labels]
    return {
        "merge_form": merge_form,
        "synonym_form": forms.get("synonym_form") or SynonymForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }


def names_context(topic: Topic, editable: bool, **forms: BaseForm) -> dict[str, Any]:
    """What templates/topics/_names.html needs on a topic page: the names panel, and the
    forms when the user may change them (ranking the targets costs a comparison per name,
    so readers are spared it)."""
    panel = queries.names_panel(topic, with_targets=editable)
    return {
        "names": panel,
        "names_editable": editable,
        **panel_forms(panel, **forms),
        **translations_context(topic, editable, forms.get("translation_form")),
    }
