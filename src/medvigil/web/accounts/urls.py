"""Admin page routes (users and API tokens)."""

from __future__ import annotations

from django.urls import path

from medvigil.web.accounts import manage_views as views

app_name = "accounts"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/create/", views.user_create, name="user-create"),
    path("users/<int:user_id>/role/", views.user_role, name="user-role"),
    path("users/<int:user_id>/active/", views.user_active, name="user-active"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/create/", views.token_create, name="token-create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
