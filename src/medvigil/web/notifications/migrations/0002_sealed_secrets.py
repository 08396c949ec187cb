"""Webhook secrets sealed at rest (:mod:`medvigil.web.notifications.sealing`): wider columns, and
the secrets stored before in clear sealed with the server's key (unsealed again on the way back)."""

from typing import Any

from django.db import migrations, models


def _reseal(apps: Any, change: Any) -> None:
    subscription = apps.get_model("notifications", "Subscription")
    for row in subscription.objects.exclude(secret="", previous_secret="").iterator():
        row.secret, row.previous_secret = change(row.secret), change(row.previous_secret)
        row.save(update_fields=["secret", "previous_secret"])


def seal_stored(apps: Any, schema_editor: Any) -> None:
    from medvigil.web.notifications.sealing import PREFIX, seal

    _reseal(apps, lambda value: value if not value or value.startswith(PREFIX) else seal(value))


def unseal_stored(apps: Any, schema_editor: Any) -> None:
    from medvigil.web.notifications.sealing import unseal

    _reseal(apps, unseal)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subscription",
            name="previous_secret",
            field=models.CharField(blank=True, max_length=512),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="secret",
            field=models.CharField(blank=True, max_length=512),
        ),
        migrations.RunPython(seal_stored, unseal_stored, elidable=False),
    ]
