"""Defaults only. Secrets come from the instance folder or the environment."""

from __future__ import annotations

# The SQLite database lives in the instance folder; create_app() fills in the path.
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Forms: CSRF on every POST. The token outlives a long walk on the floor.
WTF_CSRF_TIME_LIMIT = 12 * 3600

# Upload limit for a whole request (photos are the big part).
MAX_CONTENT_LENGTH = 25 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# Create and upgrade the database on start-up, so a new user never runs a DB command.
GEMBA_AUTO_MIGRATE = True
# Where photos are stored: "local" files under GEMBA_PHOTO_DIR (relative paths are inside
# the instance folder), or "s3", an S3-compatible bucket every app server shares.
GEMBA_PHOTO_STORE = "local"
GEMBA_PHOTO_DIR = "photos"
# The bucket, and where it is: GEMBA_S3_ENDPOINT_URL empty for AWS, else e.g. MinIO's
# "http://minio:9000". Objects are named GEMBA_S3_PREFIX + the photo's SHA-256. The
# credentials are boto3's own (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, a role).
GEMBA_S3_BUCKET = ""
GEMBA_S3_ENDPOINT_URL = ""
GEMBA_S3_REGION = ""
GEMBA_S3_PREFIX = "photos/"
# False: photos are streamed through the app, behind its login. True: the app checks the
# login, then redirects to a presigned URL that expires after GEMBA_S3_URL_SECONDS (the
# bucket stays private; the pages' CSP then allows the store's origin for images).
GEMBA_S3_PRESIGNED_URLS = False
GEMBA_S3_URL_SECONDS = 300

# Cookies are always HttpOnly and SameSite=Lax. They are also marked Secure whenever the
# request came over HTTPS; set SESSION_COOKIE_SECURE and REMEMBER_COOKIE_SECURE to True
# (FLASK_SESSION_COOKIE_SECURE=true ...) to insist on it even if a proxy forgets to say so.
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False
# "Remember me" lasts a month, not Flask-Login's year.
REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
# Behind a TLS reverse proxy: how many proxies to trust for X-Forwarded-For/-Proto/-Host.
# 0 trusts none (a client could forge them); 1 for one nginx or Caddy in front.
GEMBA_BEHIND_PROXY = 0

# The time zone a new site starts with, and the one times tied to no site are shown in
# (an IANA name such as "Europe/Warsaw"). None: the machine's own zone, else UTC.
GEMBA_DEFAULT_TIME_ZONE = None

# API tokens expire this many days after they are made (`flask token create --days` and
# the services may choose another lifetime per token).
GEMBA_TOKEN_DAYS = 90
# How long a deleted record (and its photos) can be restored by an admin.
GEMBA_RESTORE_DAYS = 30

# Login rate limits (flask-limiter strings), counting failed attempts only.
GEMBA_LOGIN_LIMIT_PER_ACCOUNT = "10 per 15 minutes"
GEMBA_LOGIN_LIMIT_PER_ADDRESS = "10 per minute; 100 per hour"
# memory:// is per process; with several workers or servers use redis://host:6379/0.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_KEY_PREFIX = "gemba"
RATELIMIT_ENABLED = True

# Rendered walk pages and inbox pages, kept until the data changes (gemba/page_cache.py).
# Memory per worker by default; with several workers or servers, share one Redis:
# CACHE_TYPE = "RedisCache", CACHE_REDIS_URL = "redis://host:6379/1".
GEMBA_PAGE_CACHE = True
CACHE_TYPE = "SimpleCache"
CACHE_DEFAULT_TIMEOUT = 600
CACHE_THRESHOLD = 1000

# E-mail notices (`flask notify`), sent through Flask-Mail over SMTP. Set them like every
# other setting: FLASK_MAIL_SERVER, FLASK_MAIL_PORT, FLASK_MAIL_USE_TLS, FLASK_MAIL_USERNAME,
# FLASK_MAIL_PASSWORD (or in instance/config.py). MAIL_SUPPRESS_SEND is left to Flask-Mail.
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "Gemba <gemba@localhost>"
# Where the links in an e-mail point: the address people open Gemba at.
GEMBA_PUBLIC_URL = "http://localhost:5000"
