from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "medvigil.web.audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from medvigil.web.audit import registrations

        registrations.register_all()
