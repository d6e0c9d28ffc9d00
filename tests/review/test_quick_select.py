"""The inbox's quick select renders exactly what WTForms' own select widget does."""

from __future__ import annotations

from wtforms import Form, SelectField
from wtforms.widgets import Select

from gemba.capture.vocabulary import choices
from gemba.review.forms import QuickSelect

CHOICES = choices(
    [
        ("", "All walks"),
        ("1f0c", "Line 3 <changeover> & “die cart”"),
        ('a"b', "Quote in the value"),
        ("x", ""),  # no label: the value is shown
    ]
)


class Both(Form):
    quick = SelectField(choices=CHOICES, widget=QuickSelect())
    plain = SelectField(choices=CHOICES, widget=Select())


def test_quick_select_matches_wtforms_select_escaping_and_selection():
    form = Both(data={"quick": "1f0c", "plain": "1f0c"})

    quick, plain = str(form.quick()), str(form.plain())

    assert quick == plain.replace('id="plain" name="plain"', 'id="quick" name="quick"')
    assert "&lt;changeover&gt; &amp;" in quick
    assert '<option selected value="1f0c">' in quick
    assert 'value="a&#34;b"' in quick
