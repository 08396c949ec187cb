"""Settings of the CVD portal and of outgoing mail (star-imported by ``settings``)."""

from __future__ import annotations

from medvigil.web.config.env import env_bool, env_int, env_list, env_secret, env_str

CVD_RATE_LIMIT = env_int("MEDVIGIL_CVD_RATE_LIMIT", 10, minimum=1)
"""Public submissions (reports and reporter messages) per client and window."""
CVD_RATE_WINDOW = env_int("MEDVIGIL_CVD_RATE_WINDOW", 3600, minimum=1)
CVD_TEXT_MAX_CHARS = env_int("MEDVIGIL_CVD_TEXT_MAX_CHARS", 50_000, minimum=1000)
CVD_ATTACHMENT_MAX_BYTES = env_int("MEDVIGIL_CVD_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
CVD_ATTACHMENTS_TOTAL_BYTES = env_int("MEDVIGIL_CVD_ATTACHMENTS_TOTAL_BYTES", 20 * 1024 * 1024, minimum=1024)
CVD_MIN_FILL_SECONDS = env_int("MEDVIGIL_CVD_MIN_FILL_SECONDS", 3, minimum=0)
"""A form posted sooner after it was served is treated as a bot."""
CVD_PUBLIC_URL = env_str("MEDVIGIL_PUBLIC_URL", "").rstrip("/")
"""The public https origin (security.txt Canonical and tracking links); empty: the request's host."""
CVD_CONTACTS = env_list("MEDVIGIL_CVD_CONTACTS", [])
"""Extra security.txt Contact URIs (mailto:, tel:, https:), before the policy's own."""
CVD_GPG_KEY = env_str("MEDVIGIL_CVD_GPG_KEY", "")
"""Key id or fingerprint to clear-sign security.txt with the system ``gpg`` (empty: unsigned)."""
CVD_GPG_HOME = env_str("MEDVIGIL_CVD_GPG_HOME", "")

EMAIL_BACKEND = env_str("MEDVIGIL_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("MEDVIGIL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("MEDVIGIL_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("MEDVIGIL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("MEDVIGIL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MEDVIGIL_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("MEDVIGIL_EMAIL_FROM", "security@localhost")
