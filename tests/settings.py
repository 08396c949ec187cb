"""Settings for the test suite: the real settings, read from a test environment.

A fresh data folder per run, background jobs run inline, and a fast password hasher.
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
