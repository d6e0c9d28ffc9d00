"""On a phone-sized screen: set up Gemba, start a walk, log one of each record."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_new_user_logs_one_of_each_record_on_a_phone(live_server, phone):
    page = phone
    page.goto(live_server + "/")
    assert page.url.endswith("/setup")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", "walk the floor")
    page.fill("input[name=confirm]", "walk the floor")
    page.click("text=Create admin and continue")
    page.fill("input[name=name]", "Plant 2")
    page.click("text=Add site")
    page.click("nav >> text=Walks")
    page.click("text=+ Start a walk")
    page.fill("input[name=title]", "Line 3 changeover")
    page.click("text=Start walking")

    page.click(".actionbar >> text=Place")
    page.fill("input[name=name]", "Gate 2")
    page.click("text=Save place")
    page.click(".actionbar >> text=Thing")
    page.fill("input[name=name]", "Badge scanner")
    page.click("label:has-text('Equipment')")
    page.click("text=Save thing")
    page.click(".actionbar >> text=Said")
    page.fill("textarea[name=text]", "We always scan our badges.")
    page.fill("input[name=speaker]", "Shift lead")
    page.fill("input[name=topic]", "Badge scan at entry")
    page.click("label:has-text('Always')")
    page.click("text=Save statement")
    page.click(".actionbar >> text=Fact")
    page.fill("textarea[name=text]", "Walked in without scanning")
    page.fill("input[name=topic]", "badge scan at entry")
    page.click("label:has-text('Not done')")
    page.click("label:has-text('Pain')")
    page.click("text=Save fact")

    flash = page.locator(".flash-gap")
    assert "Contradicts: “We always scan our badges.” — Shift lead" in flash.inner_text()
    assert page.locator(".timeline > li").count() == 4
    # Everything fits the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_measure_claim_fields_appear_only_for_a_number(live_server, phone, app_with_walk):
    page = phone
    base, walk_id = app_with_walk
    page.goto(f"{base}/walks/{walk_id}/statements/new")
    value = page.locator("input[name=claim_value]")
    assert not value.is_visible()
    page.click("label:has-text('A number')")
    assert value.is_visible()
    page.fill("textarea[name=text]", "Takes ten minutes")
    page.click("text=Save statement")
    assert "Enter the number that was claimed." in page.content()
    assert page.input_value("textarea[name=text]") == "Takes ten minutes"


@pytest.fixture
def app_with_walk(live_server, phone):
    """An admin logged in on the phone with a site and a walk."""
    page = phone
    page.goto(live_server + "/setup")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", "walk the floor")
    page.fill("input[name=confirm]", "walk the floor")
    page.click("text=Create admin and continue")
    page.fill("input[name=name]", "Plant 2")
    page.click("text=Add site")
    page.goto(live_server + "/walks/new")
    page.fill("input[name=title]", "Walk")
    page.click("text=Start walking")
    return live_server, page.url.rsplit("/", 1)[1]
