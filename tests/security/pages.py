"""Every form the app shows, found the way a browser finds it: a world with one of each
thing, every page of `app.url_map` opened as a role, and each page's forms read from its
HTML (action, method, field names, the values it offers).

The text test and the form fuzzer both start from here, so a form someone adds tomorrow
is sent hostile values without editing either of them.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from gemba.accounts import services as accounts
from gemba.extensions import db
from gemba.gaps import triage
from gemba.models import Base, Gap, Topic, User
from gemba.review import actions
from gemba.topics import merging
from tests.conftest import login, uid

# Pages that are not HTML pages with forms: the API, files, the offline app, CSV.
NOT_PAGES = ("api.", "static", "offline.", "media.")
# One-line inputs whose value is text; checkboxes, radios and files are not.
TEXT_INPUTS = {"text", "email", "password", "search", "url", "tel", "hidden", "number", "date"}
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\((?P<options>[^)]*)\))?:)?(?P<name>\w+)>")


@dataclass
class Input:
    """One named control of a form: its kind (input type, "textarea" or "select") and the
    values the page offers (an input's value, a select's options, each radio's value)."""

    kind: str
    values: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)  # checked, selected or filled in


@dataclass
class PageForm:
    """A form as the browser sees it: where it goes and what it sends."""

    page: str
    action: str
    method: str
    multipart: bool
    inputs: dict[str, Input] = field(default_factory=dict)

    def defaults(self) -> dict[str, list[str]]:
        """What the browser sends if nobody touches the form."""
        return {name: list(i.chosen) for name, i in self.inputs.items() if i.chosen}


class _FormParser(HTMLParser):
    """The forms of a page, with their controls; enough HTML for Gemba's templates."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: Input | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page
            self._form = PageForm(
                self.page,
                action,
                (a.get("method") or "get").lower(),
                a.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("name"):  # a named button sends its value when pressed
                    self._form.inputs.setdefault(a["name"], Input("submit", [a.get("value", "")]))
                return
            control = self._form.inputs.setdefault(a["name"], Input(kind))
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            control.values.append(value)
            if kind != "file" and (kind not in ("checkbox", "radio") or "checked" in a):
                control.chosen.append(value)
        elif tag == "select":
            self._select = self._form.inputs.setdefault(a["name"], Input("select"))
        elif tag == "textarea":
            self._textarea = (a["name"], [])
        if tag == "option" and self._select is not None and "name" not in a:
            self._option(a)

    def _option(self, a: dict[str, str]) -> None:
        value = a.get("value", "")
        self._select.values.append(value)
        if "selected" in a:
            self._select.chosen.append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and not self._select.chosen and self._select.values:
                self._select.chosen.append(self._select.values[0])
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            # HTML drops one newline right after <textarea>; the browser sends the rest.
            text = "".join(parts).removeprefix("\n")
            self._form.inputs[name] = Input("textarea", [text], [text])
            self._textarea = None


def forms_on(page: str, html: str) -> list[PageForm]:
    """The forms of one page."""
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


# -- a world with one of each thing -----------------------------------------------------------


@dataclass
class World:
    """Users of every role, each with a walk of every record kind, a gap, an action, a
    persona, a token; `ids` fills the arguments of any route."""

    users: dict[str, User]
    walks: dict[str, dict[str, str]]  # role -> kind -> id ("walk", "place", ...)
    ids: dict[str, str]  # shared: site, persona, gap, action, topic, user, entry, plan, item

    def client(self, app: Flask, role: str) -> FlaskClient:
        """A client logged in as the role (anonymous for "anonymous")."""
        client = app.test_client()
        return client if role == "anonymous" else login(client, self.users[role])


ROLES = ("observer", "analyst", "admin")


def build_world(app: Flask, make_user, make_site, write) -> World:
    """One of everything a form can be about, so every page with a form can be opened."""
    users = {role: make_user(role) for role in ROLES}
    bystander = make_user("observer")  # the user admins edit: never one of the clients
    site = make_site()
    persona = uid()
    write(users["analyst"], {"type": "persona", "id": persona, "site": site, "name": "Picker"})
    walks = {}
    for role in ROLES:
        ids = {kind: uid() for kind in ("walk", "place", "thing", "fact", "statement")}
        write(
            users[role],
            {"type": "walk", "id": ids["walk"], "site": site, "title": f"{role}'s walk"},
            {"type": "place", "id": ids["place"], "walk": ids["walk"], "name": "Press 2"},
            {"type": "thing", "id": ids["thing"], "walk": ids["walk"], "name": "Wrench"},
            {
                "type": "fact",
                "id": ids["fact"],
                "walk": ids["walk"],
                "topic": "Badge scan",
                "text": "Walked in without scanning",
                "performed": False,
                "persona": persona,
            },
            {
                "type": "statement",
                "id": ids["statement"],
                "walk": ids["walk"],
                "topic": "Badge scan",
                "text": "We always scan",
                "claim": {"frequency": "always"},
                "source": "meeting",
                "persona": persona,
            },
        )
        walks[role] = ids
    plan, item = uid(), uid()
    checks = [
        {"id": item, "topic": "Badge scan", "question": "Badges scanned?", "kind": "behaviour"},
        {"id": uid(), "topic": "Gloves", "question": "Gloves worn?", "kind": "behaviour",
         "retired": True},
    ]  # fmt: skip
    write(
        users["analyst"],
        {"type": "plan", "id": plan, "site": site, "title": "Shift check", "items": checks,
         "assignees": [users["observer"].email]},
        {"type": "plan", "id": uid(), "site": site, "title": "Weekly round", "items": [
            {"id": uid(), "topic": "Guard", "question": "Guard closed?", "kind": "behaviour"}]},
    )  # fmt: skip
    with app.app_context():
        analyst = db.session.get(User, users["analyst"].id)
        gap = db.session.scalar(select(Gap).order_by(Gap.id))
        action = actions.create_action(
            analyst, actions.ActionData("Fix the scanner", None, analyst.id, None, "open"), [gap.id]
        )
        # A gap an analyst wants observed: walks at the site show "To check here", with a
        # hide form per item (capture.hide_check).
        asked = db.session.scalars(select(Gap).order_by(Gap.id)).all()[1]
        triage.decide(asked.id, "needs_observation", analyst, "Watch the night shift")
        for user in users.values():
            accounts.create_token(db.session.get(User, user.id), "fuzz")
        ids = {
            "site": site,
            "persona": persona,
            "gap": str(gap.id),
            "action": str(action.id),
            "topic": str(db.session.scalar(select(Topic.id))),
            "user": str(bystander.id),
            "plan": plan,
            "item": item,
        }
    ids["entry"] = _deleted_entry(app, users["admin"], walks["admin"])
    ids |= _merged_topic(app, users["analyst"], walks["analyst"]["walk"], int(ids["topic"]), write)
    ids |= _webhook(app, users["admin"])
    return World(users, walks, ids)


def _webhook(app: Flask, admin: User) -> dict[str, str]:
    """A webhook with a failed delivery, so its page offers every form (gemba.webhooks)."""
    from gemba.models import WebhookDelivery
    from gemba.webhooks import services

    with app.app_context():
        actor = db.session.get(User, admin.id)
        data = services.HookData("https://example.com/hooks", ["gap.triaged"], None)
        hook = services.create_hook(actor, data)
        delivery = WebhookDelivery(
            webhook_id=hook.id, event="gap.triaged", event_id="fuzz", body={},
            status="failed", attempts=8, last_status_code=500,
        )  # fmt: skip
        db.session.add(delivery)
        db.session.commit()
        return {"hook": str(hook.id), "delivery": str(delivery.id)}


def _merged_topic(app: Flask, analyst: User, walk: str, topic_id: int, write) -> dict[str, str]:
    """A topic merged into the world's topic, and a synonym of it, so its page offers the
    undo and remove forms (gemba.topics)."""
    twin = {"type": "fact", "id": uid(), "walk": walk, "topic": "Badge scanning",
            "text": "Scanned twice", "performed": True}  # fmt: skip
    write(analyst, twin)
    with app.app_context():
        actor = db.session.get(User, analyst.id)
        source = db.session.scalar(select(Topic.id).where(Topic.key == "badge scanning"))
        merge = merging.merge(actor, source, topic_id)
        synonym = merging.add_synonym(actor, topic_id, "Entry badge")
        return {"merge": str(merge.merge.id), "synonym": str(synonym.id)}


def _deleted_entry(app: Flask, admin: User, walk: dict[str, str]) -> str:
    """A record deleted through its page, so the page of deleted records has one to offer."""
    login(app.test_client(), admin).post(f"/walks/{walk['walk']}/things/{walk['thing']}/delete")
    with app.app_context():
        trash = Base.metadata.tables.get("deleted_records")
        if trash is None:
            return "1"
        return str(db.session.scalar(select(trash.c.id).order_by(trash.c.id)) or 1)


# -- every page of the url map ------------------------------------------------------------------


def _options(rule: Rule, world: World, role: str) -> dict[str, list[str]] | None:
    """Values for each argument of the rule; None when the test cannot fill one."""
    own = world.walks.get(role, world.walks["observer"])
    found: dict[str, list[str]] = {}
    for match in _ARGUMENT.finditer(rule.rule):
        name, converter, options = match["name"], match["converter"], match["options"]
        if converter == "any":
            found[name] = [o.strip().strip("'\"") for o in options.split(",")]
        elif name == "walk_id":
            found[name] = [own["walk"]]
        elif name == "record_id":
            found[name] = []  # paired with `kinds` below
        elif name.removesuffix("_id") in world.ids:
            found[name] = [world.ids[name.removesuffix("_id")]]
        else:
            return None
    return found


def urls(rule: Rule, world: World, role: str) -> Iterator[str]:
    """The rule's URLs with the role's own records (each kind, for a `kinds` rule)."""
    options = _options(rule, world, role)
    own = world.walks["observer"]
    if options is None:
        return
    kinds = options.pop("kinds", [None])
    record = options.pop("record_id", None)
    for kind in kinds:
        values = dict(options)
        if kind is not None:
            values["kinds"] = [kind]
        if record is not None:
            values["record_id"] = [world.walks.get(role, own)[kind.removesuffix("s")]]
        names = list(values)
        for combo in itertools.product(*(values[n] for n in names)):
            url = rule.rule
            for name, value in zip(names, combo, strict=True):
                url = _ARGUMENT.sub(lambda m, n=name, v=value: v if m["name"] == n else m[0], url)
            yield url


def page_rules(app: Flask) -> list[Rule]:
    """Every rule that answers GET with a page."""
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "GET" in rule.methods
        and not rule.endpoint.startswith(NOT_PAGES)
        and not rule.rule.endswith(".csv")
    ]


def crawl(app: Flask, client: FlaskClient, world: World, role: str) -> list[PageForm]:
    """Every form on every page the role can open, one per (action's endpoint, fields)."""
    found: dict[tuple, PageForm] = {}
    for rule in page_rules(app):
        for url in urls(rule, world, role):
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in forms_on(url, response.get_data(as_text=True)):
                key = (endpoint_of(app, form), form.method, frozenset(form.inputs))
                found.setdefault(key, form)
    return list(found.values())


def endpoint_of(app: Flask, form: PageForm) -> str | None:
    """The endpoint a form sends to."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(form.action).path, method=form.method.upper())
    except HTTPException:
        return None
    return endpoint


def snapshot(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table: equal before and after means nothing was stored."""
    with app.app_context():
        rows = {
            table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }
        db.session.remove()
    return rows


def random_uuid() -> str:
    return str(uuid.uuid4())
