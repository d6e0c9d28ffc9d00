"""Every Flask extension object, created unbound and initialised in create_app()."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from gemba.models.base import Base

# Objects stay readable after commit: a view renders what the write path returned.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()  # e-mail notices (gemba.notices.sender)
babel = Babel()  # languages (gemba.platform.languages)
