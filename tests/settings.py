"""Settings for the test suite: the real settings, read from a test environment.

A fresh data folder per run (the SQLite test database is a file in it), background jobs run
inline, and a fast password hasher.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-test-"))
os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
os.environ.setdefault("MEDVIGIL_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from medvigil.web.config.settings import *  # noqa: E402,F403 - test settings extend the real ones

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # One test database per run, so concurrent runs on one server do not collide on "test_<name>".
    DATABASES["default"]["TEST"] = {"NAME": f"test_medvigil_{os.getpid()}"}  # noqa: F405
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file (WAL, as in production), not Django's default in-memory shared-cache database: there
    # readers and writers in different threads (the embedded job consumer, the test polling it)
    # take table locks and refuse each other at once ("database table is locked", which the busy
    # timeout does not retry), a contention production never sees.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["MEDVIGIL_DATA_DIR"], "test.sqlite3")}  # noqa: F405
