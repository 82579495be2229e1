"""Settings, read from the environment.

TANDEM_DATABASE_URL   database (default: SQLite file var/tandem.sqlite3 in the
                      working directory); sqlite:///ABS/PATH or postgres://...
TANDEM_TEST_DATABASE_URL  used instead while the test suite runs
TANDEM_SECRET_KEY     secret key (default: generated once, kept in var/secret_key)
TANDEM_DEBUG          "1" turns on debug pages (off by default)
TANDEM_ALLOWED_HOSTS  comma-separated (default: localhost,127.0.0.1)
TANDEM_VAR_DIR        where the default database and secret key live (default ./var)
TANDEM_TASKS_BACKEND  background jobs: "database" (default: a queue in the database,
                      worked by `tandem worker`, which `tandem serve` starts) or
                      "rq" (Redis through RQ; pip install 'tandem[redis]')
TANDEM_REDIS_URL      the Redis of the "rq" backend (default redis://127.0.0.1:6379/0)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tandem
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", Path.cwd() / "var")).resolve()
TESTING = os.environ.get("TANDEM_TESTING") == "1"


def _secret_key() -> str:
    if key := os.environ.get("TANDEM_SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Generated on first run and kept out of the repository.
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("TANDEM_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("TANDEM_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")


def database_url() -> str:
    if TESTING:
        return os.environ.get("TANDEM_TEST_DATABASE_URL") or "sqlite://:memory:"
    default = f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"
    return os.environ.get("TANDEM_DATABASE_URL") or default


def _database() -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(database_url(), conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets the web app read while a run or an import writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["TEST"] = {"NAME": (config.get("NAME") or "tandem") + "_test"}
    return config


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not TESTING:
    # A second session to the same database: a job's progress is written
    # through it while the job's own transaction is still open, so pages see
    # it at once (tandem.web.jobs). SQLite has one writer at a time; there the
    # progress goes to a file under var/jobs/ instead.
    DATABASES["progress"] = {**DATABASES["default"], "CONN_MAX_AGE": 0}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "tandem.core",
    "tandem.staff",
    "tandem.customers",
    "tandem.sales",
    "tandem.handover",
    "tandem.service",
    "tandem.commissions",
    "tandem.exchange",
    "tandem.web",
    "django_tasks",
    "django_tasks_db",
]

# Background jobs through Django's Tasks API (the django-tasks backport).
TASKS_BACKEND = os.environ.get("TANDEM_TASKS_BACKEND", "database").lower()
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("TANDEM_REDIS_URL", "redis://127.0.0.1:6379/0")}
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ValueError(f"TANDEM_TASKS_BACKEND: {TASKS_BACKEND!r} is neither 'database' nor 'rq'")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.web.middleware.ChosenLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "tandem.config.urls"
WSGI_APPLICATION = "tandem.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.web.context.shell",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# zh-Hans first: every page, message and export; English is the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "WARNING")},
}
