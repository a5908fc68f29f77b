"""Routes: the meeting pack and the minutes as PDF files."""

from django.urls import URLPattern, path

from panels.views import packs

urlpatterns: list[URLPattern] = [
    path("meetings/<int:pk>/pack.pdf", packs.meeting_pack, name="meeting_pack"),
    path("meetings/<int:pk>/minutes.pdf", packs.meeting_minutes, name="meeting_minutes"),
]
