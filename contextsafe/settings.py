"""ContextSafe settings: read from the environment only.

Modes (``CONTEXTSAFE_MODE``):
- ``production`` (the default): every secret and host must be given; missing values stop start-up.
- ``demo``: only ``make demo`` sets it. Embedded SQLite, tasks run immediately, mail to the console,
  the second factor is offered but not enforced, cookies work over plain http on 127.0.0.1.
- ``test``: the test suite. Production security except TLS redirect; fast password hashing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONTEXTSAFE_VAR_DIR", BASE_DIR / "var"))

MODE = os.environ.get("CONTEXTSAFE_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"CONTEXTSAFE_MODE must be production, demo or test, not {MODE!r}")
DEMO_MODE = MODE == "demo"
TEST_MODE = MODE == "test"
PRODUCTION = MODE == "production"


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. ContextSafe refuses to start in production without it "
            "(see docs/operations.md)."
        )
    return value


def _demo_secret_key() -> str:
    # The demo keeps a random key on local disk, so no key is ever committed or shared.
    path = VAR_DIR / "demo-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", default=False)

if PRODUCTION:
    SECRET_KEY = required("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
    ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS").split(",") if h.strip()]
    DATABASES = {"default": dj_database_url.parse(required("DATABASE_URL"), conn_max_age=60)}
elif DEMO_MODE:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _demo_secret_key()
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'demo.sqlite3'}")
        )
    }
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "test-only-key-" + "x" * 50
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'test.sqlite3'}")
        )
    }

DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Reuse each worker's database connection; opening one costs more than a whole simple page.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers never deadlock on the
    # audit chain head; WAL lets readers carry on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and not env_bool(
    "POSTGRES_JIT"
):
    # PostgreSQL's JIT compiles expressions for queries it estimates as costly; for the
    # service's GROUP BYs over a million events compiling took ~100 ms of a ~1 s query and
    # bought nothing back (bench/maps.py). Off unless POSTGRES_JIT=true.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()

INSTALLED_APPS = [
    "django.forms",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "access",
    "audit",
    "people",
    "contexts",
    "events",
    "frontdoor",
    "assessments",
    "missing",
    "meetings",
    "casework",
    "plans",
    "mapping",
    "panels",
    "core",
    "demo",
]

MIDDLEWARE = [
    "contextsafe.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "access.middleware.AccessPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "contextsafe.urls"
WSGI_APPLICATION = "contextsafe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "contextsafe" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "contextsafe.context_processors.service",
            ],
            "builtins": ["contextsafe.templatetags.govuk"],
        },
    }
]
FORM_RENDERER = "contextsafe.forms.GovukFormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.PasswordBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TEST_MODE:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"

# The second factor: enforced everywhere except the demo, where it is offered.
OTP_REQUIRED = env_bool("CONTEXTSAFE_OTP_REQUIRED", default=not DEMO_MODE)
OTP_TOTP_ISSUER = "ContextSafe"
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout after repeated failed sign-ins (django-axes).
AXES_FAILURE_LIMIT = env_int("CONTEXTSAFE_SIGN_IN_ATTEMPTS", 5)
AXES_COOLOFF_TIME = env_int("CONTEXTSAFE_LOCKOUT_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = env_int("CONTEXTSAFE_PROXY_COUNT", 0)

# Sessions end after a period of inactivity, and with the browser.
SESSION_COOKIE_AGE = env_int("CONTEXTSAFE_SESSION_MINUTES", 30) * 60
# Sliding expiry without a database write on every request: see accounts.middleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEMO_MODE
CSRF_COOKIE_SECURE = not DEMO_MODE
if not DEMO_MODE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CONTEXTSAFE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("CONTEXTSAFE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("CONTEXTSAFE_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A strict Content-Security-Policy: no inline script or style; only the one GOV.UK "js-enabled"
# line runs inline, with a per-response nonce.
_IMG_SRC: list[str] = [SELF, "data:"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": _IMG_SRC,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:ia"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "build" / "staticfiles"
# Front-end packages are served from node_modules as installed, never copied into the repo.
STATICFILES_DIRS = [
    BASE_DIR / "contextsafe" / "static",
    ("css", BASE_DIR / "build" / "css"),
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("cytoscape", BASE_DIR / "node_modules" / "cytoscape" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production static files are served straight from the finders, so no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: Django's task framework (django-tasks backport). The demo and the tests run
# tasks at once; production queues them in the database for `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if PRODUCTION or env_bool("CONTEXTSAFE_QUEUE_TASKS")
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if TEST_MODE:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=PRODUCTION)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "ContextSafe <no-reply@contextsafe.invalid>"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Ward boundaries (a GeoJSON FeatureCollection) for the small maps on location pages.
WARD_BOUNDARIES_FILE = os.environ.get(
    "CONTEXTSAFE_WARD_BOUNDARIES", str(VAR_DIR / "wards.geojson") if DEMO_MODE else ""
)

# Hotspot maps: the H3 resolution of the cell stored on each event (9: about 0.1 km², a few
# streets). Changing it means recomputing every stored cell (events/migrations/0003).
HOTSPOT_H3_RESOLUTION = env_int("CONTEXTSAFE_HOTSPOT_H3_RESOLUTION", 9)
if not 0 <= HOTSPOT_H3_RESOLUTION <= 15:
    raise ImproperlyConfigured("CONTEXTSAFE_HOTSPOT_H3_RESOLUTION must be from 0 to 15.")

# Peer groups: may members be linked as records ("records"), or only by initials ("initials"),
# as some partnerships decide for peer maps made with young people (domain.md §1.4)?
PEER_GROUP_MEMBERS = os.environ.get("CONTEXTSAFE_PEER_GROUP_MEMBERS", "records")
if PEER_GROUP_MEMBERS not in {"records", "initials"}:
    raise ImproperlyConfigured("CONTEXTSAFE_PEER_GROUP_MEMBERS must be 'records' or 'initials'")

SERVICE_NAME = "ContextSafe"
# Links in emails (password set-up and reset) need the address people reach the service at.
if PRODUCTION:
    BASE_URL = required("CONTEXTSAFE_BASE_URL").rstrip("/")
else:
    BASE_URL = os.environ.get("CONTEXTSAFE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PARTNERSHIP_NAME = os.environ.get("CONTEXTSAFE_PARTNERSHIP_NAME", "Safeguarding partnership")

# A tile server for the maps' base layer in a real deployment: an https URL template with
# {z}/{x}/{y}, added to the CSP's img-src. Empty: the maps draw the ward boundaries only, offline.
MAP_TILE_URL = os.environ.get("CONTEXTSAFE_MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("CONTEXTSAFE_MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL:
    _tiles = urlsplit(MAP_TILE_URL)
    if _tiles.scheme != "https" and PRODUCTION:
        raise ImproperlyConfigured("CONTEXTSAFE_MAP_TILE_URL must be an https address")
    # A "{s}." subdomain placeholder becomes a wildcard the CSP understands.
    _tile_host = _tiles.netloc.replace("{s}.", "*.")
    _IMG_SRC.append(f"{_tiles.scheme}://{_tile_host}")

# The network view's in-memory graph of the whole partnership (mapping/graph.py). In production a
# worker keeps answering from the graph it holds while one thread rebuilds it (a county-scale
# build takes tens of seconds), at most every NETWORK_GRAPH_MIN_INTERVAL seconds.
NETWORK_GRAPH_BACKGROUND = env_bool("CONTEXTSAFE_NETWORK_GRAPH_BACKGROUND", default=PRODUCTION)
NETWORK_GRAPH_MIN_INTERVAL = env_int("CONTEXTSAFE_NETWORK_GRAPH_MIN_INTERVAL", 300)
NETWORK_GRAPH_MAX_AGE = env_int("CONTEXTSAFE_NETWORK_GRAPH_MAX_AGE", 600)
# Each worker holds recent viewers' permitted people for the network view; the bound on a share
# deleted by another worker (shares normally end by expiring, which is exact). See mapping/graph.py.
NETWORK_VISIBILITY_MAX_AGE = env_int("CONTEXTSAFE_NETWORK_VISIBILITY_MAX_AGE", 30)
