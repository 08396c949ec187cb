"""CVD routes: public pages under /security/ and /.well-known/security.txt, staff pages under /cvd/."""

from __future__ import annotations

from django.urls import path

from medvigil.web.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("security/policy/", views.policy, name="policy"),
    path("security/report/", views.report_form, name="report"),
    path("security/track/<str:reference>/<str:token>/", views.track, name="track"),
    path("security/acknowledgments/", views.acknowledgments, name="acknowledgments"),
    path("cvd/", views.queue, name="queue"),
    path("cvd/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("cvd/<str:reference>/", views.detail, name="detail"),
    path("cvd/<str:reference>/<str:action>/", views.act, name="act"),
]
