"""Routes for CS&E conferences. A conference is a meeting: its agenda, reports, attendance,
minutes and summary are on the meeting's pages (``urls_meetings``)."""

from django.urls import URLPattern, path

from panels.views import conferences

urlpatterns: list[URLPattern] = [
    path("conferences/", conferences.conference_list, name="conference_list"),
    path("conferences/new/", conferences.conference_create, name="conference_create"),
    path("conferences/<int:pk>/views/", conferences.conference_views, name="conference_views"),
    path(
        "conferences/<int:pk>/decision/",
        conferences.conference_decision,
        name="conference_decision",
    ),
]
