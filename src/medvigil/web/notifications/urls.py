"""Notification routes."""

from __future__ import annotations

from django.urls import path

from medvigil.web.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.subscription_list, name="subscriptions"),
    path("notifications/new/", views.subscription_create, name="create"),
    path("notifications/<int:subscription_id>/<str:action>/", views.subscription_action, name="action"),
    path("notifications/deliveries/", views.delivery_list, name="deliveries"),
    path("notifications/deliveries/retry/", views.delivery_retry, name="retry"),
]
