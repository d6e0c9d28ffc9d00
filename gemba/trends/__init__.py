"""Trends for analysts: per site and period (ISO weeks or months on the site's clock),
are the say-vs-do gaps being closed and do the planned walks happen? The measures are
`gemba.domain.trends`; `queries` fills their histories, `views` shows them as tables,
charts and CSV."""

from flask import Blueprint

bp = Blueprint("trends", __name__, url_prefix="/review/trends")
