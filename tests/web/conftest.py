"""Shared actors and factories for web tests: admin, analyst, viewer and an outsider with no role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medvigil.web.accounts.services import token_create, user_create
from medvigil.web.inventory import services
from medvigil.web.inventory.models import Product, ProductVersion

DEMO_DATA = Path(__file__).resolve().parents[2] / "src" / "medvigil" / "web" / "inventory" / "demo_data"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def admin(db: Any) -> Any:
    return user_create(username="alice", password=PASSWORD, role="admin")


@pytest.fixture
def analyst(db: Any) -> Any:
    return user_create(username="bob", password=PASSWORD, role="analyst")


@pytest.fixture
def viewer(db: Any) -> Any:
    return user_create(username="carol", password=PASSWORD, role="viewer")


@pytest.fixture
def outsider(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="mallory", password=PASSWORD)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def token_for() -> Any:
    def make(user: Any) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='test')}"}

    return make


@pytest.fixture
def product(db: Any) -> Product:
    return services.product_create(
        name="Infusion Pump X",
        slug="pump-x",
        interfaces=["wifi", "usb"],
        life_sustaining=True,
        end_of_support=None,
    )


@pytest.fixture
def version(product: Product) -> ProductVersion:
    return services.version_create(product=product, version="2.1")


def demo_file(name: str) -> bytes:
    return (DEMO_DATA / name).read_bytes()
