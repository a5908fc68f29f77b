"""Panels, meetings and conferences. Each area keeps its own routes module."""

from panels import urls_conferences, urls_meetings, urls_packs

app_name = "panels"

urlpatterns = [
    *urls_meetings.urlpatterns,
    *urls_conferences.urlpatterns,
    *urls_packs.urlpatterns,
]
