"""Forms of the plan pages: a plan with its schedule builder, a checklist item with its
standard, and the one-click checklist changes. Forms collect input and turn it into the
parts of a plan record; the write path checks the record."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from gemba.capture.numbers import LocalFloatField
from gemba.capture.vocabulary import COMPARATOR_CHOICES, choices
from gemba.domain import bounds, schedules
from gemba.domain.gemba_json import MAX_NAME, MAX_TEXT
from gemba.plans import schedule_builder
from gemba.plans.schedule_builder import KEEP, NONE, Builder
from gemba.platform.forms import BaseForm, MultiCheckboxField

FREQUENCY_CHOICES = [
    (NONE, _l("No schedule")),
    ("daily", _l("Daily")),
    ("weekly", _l("Weekly")),
    ("monthly", _l("Monthly")),
]
ROLE_CHOICES = [
    ("", _l("Nobody else")),
    ("observer", _l("Every observer")),
    ("analyst", _l("Every analyst")),
]
ANNOUNCED_CHOICES = [
    ("", _l("As the site's walks")),
    ("yes", _l("Announced")),
    ("no", _l("Unannounced")),
]
KIND_CHOICES = [("behaviour", _l("Done / not done")), ("measure", _l("A measurement"))]
FREQUENCY_WORDS = {
    "always": _l("Always"),
    "usually": _l("Usually"),
    "sometimes": _l("Sometimes"),
    "rarely": _l("Rarely"),
    "never": _l("Never"),
}
DAY_WORDS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
ITEM_UNITS = ["s", "min", "h", "mm", "cm", "m", "g", "kg", "count", "%", "°C", "bar"]


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return value if value not in ("", None) else None


def _measure(form: BaseForm, field: FloatField) -> None:
    if field.data is not None and not bounds.is_measure(field.data):
        raise ValidationError(bounds.MEASURE_MESSAGE)


def _percent(form: BaseForm, field: FloatField) -> None:
    if field.data is not None and not bounds.is_tolerance(field.data / 100):
        raise ValidationError(bounds.PERCENT_MESSAGE)


class PlanForm(BaseForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=MAX_NAME)],
        description=_l("What people call this walk, e.g. Press line safety round."),
    )
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("The question every walk of this plan answers."),
        render_kw={"rows": 2},
    )
    route = TextAreaField(
        _l("Route"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        description=_l("One place per line, in the order they are walked."),
        render_kw={"rows": 4},
    )
    frequency = RadioField(_l("Repeats"), choices=choices(FREQUENCY_CHOICES), default=NONE)
    times = StringField(
        lazy_pgettext("time of day", "At"),
        default="06:00",
        validators=[Length(max=200)],
        description=_l(
            "24-hour clock, on the site's clock. Several for shifts: 06:00, 14:00, 22:00."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    # Text values ("0" is Monday), as every choice is: the text rules run before a choice
    # is checked, so a NUL is refused with the same message as in any other field.
    weekdays = MultiCheckboxField(
        _l("On"),
        choices=choices((str(i), name) for i, name in enumerate(DAY_WORDS)),
        validate_choice=True,
    )
    month_day = IntegerField(
        _l("Day of the month"),
        validators=[Optional(), NumberRange(1, 31, _l("A day of the month is 1 to 31."))],
        description=_l("29, 30 or 31: the last day in a shorter month."),
        render_kw={"inputmode": "numeric", "min": 1, "max": 31},
    )
    assignees = MultiCheckboxField(_l("Walked by"), choices=[], validate_choice=True)
    assignee_role = RadioField(_l("And by"), choices=choices(ROLE_CHOICES), default="")
    announced = RadioField(
        _l("Its walks are"),
        choices=choices(ANNOUNCED_CHOICES),
        default="",
        description=_l(
            "Unannounced walks show whether people do the same when nobody is expected."
        ),
    )

    def offer(self, emails: list[str], role: str | None, current_schedule: str | None) -> None:
        """The people to choose from, a role choice the plan already has, and "keep as it
        is" for a schedule the builder cannot show."""
        self.assignees.choices = choices((e, e) for e in emails)
        if role and role not in dict(ROLE_CHOICES):
            extra = choices([(role, _("Every %(role)s", role=role))])
            self.assignee_role.choices = [*self.assignee_role.choices, *extra]
        if current_schedule and schedule_builder.read(current_schedule) is None:
            words = _("As it is: %(schedule)s", schedule=schedules.describe(current_schedule))
            self.frequency.choices = [*choices([(KEEP, words)]), *self.frequency.choices]

    def load(self, record: dict[str, Any]) -> None:
        """Fill the form from the plan's record (a GET of the edit page)."""
        self.title.data = record["title"]
        self.purpose.data = record.get("purpose") or ""
        self.route.data = "\n".join(record.get("route") or [])
        self.assignees.data = list(record.get("assignees") or [])
        self.assignee_role.data = record.get("assignee_role") or ""
        self.announced.data = {True: "yes", False: "no"}.get(record.get("announced"), "")
        builder = schedule_builder.read(record.get("schedule"))
        if builder is None:
            self.frequency.data = KEEP
            return
        self.frequency.data = builder.frequency
        if builder.frequency:
            self.times.data = schedule_builder.format_times(builder.times)
            self.weekdays.data = [str(day) for day in builder.weekdays]
            self.month_day.data = builder.month_day

    def builder(self) -> Builder | None:
        """The builder as filled in; None for "keep as it is". BuilderInvalid names the
        field to correct."""
        if self.frequency.data == KEEP:
            return None
        if self.frequency.data == NONE:
            return Builder(NONE)
        return Builder(
            self.frequency.data,
            schedule_builder.parse_times(self.times.data),
            tuple(sorted({int(day) for day in self.weekdays.data or []})),
            self.month_day.data,
        )

    def fields(self) -> dict[str, Any]:
        """The plan's own fields as the form has them (schedule apart)."""
        route = [line.strip() for line in (self.route.data or "").splitlines() if line.strip()]
        return {
            "title": self.title.data,
            "purpose": _blank(self.purpose.data),
            "route": route,
            "assignees": list(self.assignees.data or []),
            "assignee_role": _blank(self.assignee_role.data),
            "announced": {"yes": True, "no": False}.get(self.announced.data),
        }


class ItemForm(BaseForm):
    topic = StringField(
        _l("Topic"),
        validators=[DataRequired(), Length(max=MAX_NAME)],
        description=_l(
            "The subject it checks. Statements and facts on the same topic are judged together."
        ),
        render_kw={"list": "plan-topics", "autocomplete": "off"},
    )
    question = TextAreaField(
        _l("Question"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("What the observer checks, e.g. Are gloves worn at the press?"),
        render_kw={"rows": 2},
    )
    kind = RadioField(_l("Answer"), choices=choices(KIND_CHOICES), default="behaviour")
    unit = StringField(
        _l("Unit"),
        validators=[Optional(), Length(max=32)],
        description=_l("What a measurement is in, e.g. min."),
        render_kw={"list": "plan-units", "autocomplete": "off"},
    )
    frequency = SelectField(
        _l("Standard"),
        choices=choices([("", _l("No standard")), *FREQUENCY_WORDS.items()]),
        default="",
        description=_l("How often the written standard says it is done."),
    )
    comparator = SelectField(_l("Standard"), choices=choices(COMPARATOR_CHOICES), default="<=")
    value = LocalFloatField(
        _l("Value"),
        validators=[Optional(), _measure],
        description=_l("Leave empty for no standard."),
        render_kw={"inputmode": "decimal"},
    )
    standard_unit = StringField(
        _l("In"),
        validators=[Optional(), Length(max=32)],
        description=_l("Empty: the item's unit."),
        render_kw={"list": "plan-units", "autocomplete": "off"},
    )
    tolerance = LocalFloatField(
        _l("Tolerance (%)"),
        validators=[Optional(), _percent],
        default=20,
        description=_l("For “about”: how far from the value still meets it."),
        render_kw={"inputmode": "decimal"},
    )
    reference = StringField(
        _l("Reference"),
        validators=[Optional(), Length(max=120)],
        description=_l("The document the standard comes from, e.g. SOP-12 rev C."),
    )

    def load(self, item: dict[str, Any]) -> None:
        self.topic.data, self.question.data = item["topic"], item["question"]
        self.kind.data, self.unit.data = item["kind"], item.get("unit") or ""
        self.reference.data = item.get("reference") or ""
        standard = item.get("standard") or {}
        self.frequency.data = standard.get("frequency") or ""
        self.value.data = standard.get("value")
        self.comparator.data = standard.get("comparator") or ""
        self.standard_unit.data = standard.get("unit") or ""
        if standard.get("tolerance") is not None:
            self.tolerance.data = standard["tolerance"] * 100

    def to_item(self, item_id: str) -> dict[str, Any]:
        """The item's record; the standard of the other kind is left out."""
        item = {
            "id": item_id,
            "topic": self.topic.data,
            "question": self.question.data,
            "kind": self.kind.data,
            "unit": _blank(self.unit.data),
            "reference": _blank(self.reference.data),
        }
        standard = self._standard()
        if standard:
            item["standard"] = standard
        return item

    def _standard(self) -> dict[str, Any] | None:
        if self.kind.data == "behaviour":
            return {"frequency": self.frequency.data} if self.frequency.data else None
        if self.value.data is None:
            return None
        standard: dict[str, Any] = {
            "value": self.value.data,
            "unit": _blank(self.standard_unit.data) or _blank(self.unit.data),
        }
        if self.comparator.data:
            standard["comparator"] = self.comparator.data
        elif self.tolerance.data is not None:
            standard["tolerance"] = self.tolerance.data / 100
        return {k: v for k, v in standard.items() if v is not None}

    def error_fields(self, position: int) -> dict[str, str]:
        """The write path's `items.N.…` fields of this item, as this form's fields."""
        standard = "frequency" if self.kind.data == "behaviour" else "value"
        prefix = f"items.{position}."
        names = ("topic", "question", "kind", "unit", "reference")
        fields = {prefix + name: name for name in names}
        fields |= {prefix + "standard": standard, prefix + "id": ""}
        fields |= {prefix + "standard." + k: standard for k in ("value", "frequency")}
        fields |= {
            prefix + "standard.unit": "standard_unit",
            prefix + "standard.tolerance": "tolerance",
        }
        return fields


class MoveForm(BaseForm):
    direction = SelectField(choices=choices([("up", _l("Up")), ("down", _l("Down"))]))


class ShareForm(BaseForm):
    item = SelectField(_l("Add an item of another plan"), choices=[])


class StartForm(BaseForm):
    """Start a plan's walk. The walk's id is made with the page, so a second tap (or a
    form sent again) opens the same walk instead of starting another."""

    walk = HiddenField(validators=[DataRequired(), Length(max=36)])
