from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("team/", views.team_queue, name="team_queue"),
    # Single assessments of a child
    path("single/new/", views.single_create, name="single_create"),
    path("single/<int:pk>/", views.single_detail, name="single_detail"),
    path("single/<int:pk>/section/<slug:section>/", views.single_section, name="single_section"),
    path("single/<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("single/<int:pk>/findings/<int:finding_pk>/", views.finding_edit, name="finding_edit"),
    path(
        "single/<int:pk>/findings/<int:finding_pk>/remove/",
        views.finding_remove,
        name="finding_remove",
    ),
    path("single/<int:pk>/submit/", views.single_submit, name="single_submit"),
    path("single/<int:pk>/sign-off/", views.single_sign_off, name="single_sign_off"),
    # Context assessments of a place, a peer group or a school
    path("context/new/", views.context_create, name="context_create"),
    path("context/<int:pk>/", views.context_detail, name="context_detail"),
    path("context/<int:pk>/section/<slug:section>/", views.context_section, name="context_section"),
    path("context/<int:pk>/weighting/", views.context_weighting, name="context_weighting"),
    path(
        "context/<int:pk>/weighting/<int:weighting_pk>/remove/",
        views.weighting_remove,
        name="weighting_remove",
    ),
    path("context/<int:pk>/submit/", views.context_submit, name="context_submit"),
    path("context/<int:pk>/sign-off/", views.context_sign_off, name="context_sign_off"),
]
