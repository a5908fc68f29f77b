"""Routes for panels and their meetings (MARVE, MACE and others), under /panels/."""

from django.urls import URLPattern, path

from panels.views import meetings as views

urlpatterns: list[URLPattern] = [
    path("", views.panel_list, name="panel_list"),
    path("new/", views.panel_create, name="panel_create"),
    path("<int:pk>/", views.panel_detail, name="panel_detail"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("members/<int:pk>/leave/", views.member_remove, name="member_remove"),
    path("<int:pk>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/participants/new/", views.participant_add, name="participant_add"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("meetings/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("meetings/<int:pk>/held/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/information/new/", views.contribution_add, name="contribution_add"),
    path("items/<int:pk>/concern/", views.concern_record, name="concern_record"),
    path("items/<int:pk>/decision/", views.item_decision, name="item_decision"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
]
