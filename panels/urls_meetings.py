"""Routes for panels and their meetings (MARVE, MACE and others), under /panels/."""

from django.urls import URLPattern, path

from panels.views import actions, agenda, meetings, panels_pages

urlpatterns: list[URLPattern] = [
    path("", panels_pages.panel_list, name="panel_list"),
    path("new/", panels_pages.panel_create, name="panel_create"),
    path("<int:pk>/", panels_pages.panel_detail, name="panel_detail"),
    path("<int:pk>/members/new/", panels_pages.member_add, name="member_add"),
    path("members/<int:pk>/leave/", panels_pages.member_remove, name="member_remove"),
    path("<int:pk>/meetings/new/", panels_pages.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/participants/new/", meetings.participant_add, name="participant_add"),
    path("meetings/<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("meetings/<int:pk>/items/new/", agenda.item_add, name="item_add"),
    path("meetings/<int:pk>/actions/new/", actions.action_add, name="action_add"),
    path("meetings/<int:pk>/held/", meetings.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/minutes/", meetings.minutes, name="minutes"),
    path("meetings/<int:pk>/close/", meetings.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("items/<int:pk>/", agenda.item_detail, name="item_detail"),
    path("items/<int:pk>/information/new/", agenda.contribution_add, name="contribution_add"),
    path("items/<int:pk>/concern/", agenda.concern_record, name="concern_record"),
    path("items/<int:pk>/decision/", agenda.item_decision, name="item_decision"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/complete/", actions.action_complete, name="action_complete"),
]
