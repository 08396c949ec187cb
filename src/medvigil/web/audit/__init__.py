"""The tamper-evident audit trail: django-auditlog captures row changes, a SHA-256 chain on top."""
