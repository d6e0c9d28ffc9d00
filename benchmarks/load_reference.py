"""The ceiling apps for benchmarks/load.py: a bare "hello" route and a minimal reference page.

    gunicorn -w 2 -k sync --pythonpath benchmarks "load_reference:create_app()"

Both run under the same gunicorn settings as Gemba itself, against the same database
(FLASK_SQLALCHEMY_DATABASE_URI), so the load benchmark can say how far Gemba's pages are
from what Flask does with no work at all (`/hello`) and with the least work a real page
does (`/reference/<walk id>`: one indexed SQLAlchemy query of 50 rows, rendered by
Jinja). Nothing here imports Gemba: it is the baseline, not the app.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import DateTime, Float, String, Text, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Facts of a walk</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Facts of walk {{ walk_id }}</h1>
<table>
  <thead><tr><th>When</th><th>What</th><th>Done</th><th>Value</th></tr></thead>
  <tbody>
  {% for fact in facts %}
    <tr>
      <td>{{ fact.observed_at.strftime("%Y-%m-%d %H:%M") }}</td>
      <td>{{ fact.text }}</td>
      <td>{{ "yes" if fact.performed else ("no" if fact.performed is not none else "") }}</td>
      <td>{% if fact.value is not none %}{{ fact.value }} {{ fact.unit }}{% endif %}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
</body>
</html>
"""


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Fact(db.Model):
    """The columns of Gemba's facts table that the page shows (walk_id is indexed)."""

    __tablename__ = "facts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    walk_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    text: Mapped[str] = mapped_column(Text)
    performed: Mapped[bool | None]
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    observed_at: Mapped[datetime] = mapped_column(DateTime)


def create_app() -> Flask:
    """The two baseline routes on the database named by FLASK_SQLALCHEMY_DATABASE_URI."""
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"reference.html": PAGE})  # compiled once, then cached
    app.config.from_prefixed_env()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    db.init_app(app)

    @app.get("/hello")
    def hello():
        """The ceiling: Flask and gunicorn doing nothing."""
        return "Hello, World!"

    @app.get("/reference/<uuid:walk_id>")
    def reference(walk_id: uuid.UUID):
        """The least a real page does: one indexed query of 50 rows, rendered by Jinja."""
        facts = db.session.scalars(select(Fact).where(Fact.walk_id == walk_id).limit(50)).all()
        return render_template("reference.html", walk_id=walk_id, facts=facts)

    return app


if __name__ == "__main__":  # a quick look: python benchmarks/load_reference.py
    os.environ.setdefault("FLASK_SQLALCHEMY_DATABASE_URI", "sqlite://")
    create_app().run()
