from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("strategy/new/", views.strategy_create, name="strategy_create"),
    path("strategy/<int:pk>/", views.strategy_detail, name="strategy_detail"),
    path("strategy/<int:pk>/record/", views.strategy_record, name="strategy_record"),
    path("strategy/<int:pk>/details/", views.strategy_edit, name="strategy_edit"),
    path("strategy/<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("strategy/<int:pk>/information/", views.information_add, name="information_add"),
    path("strategy/<int:pk>/checklist/", views.checklist_save, name="checklist_save"),
    path("strategy/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("strategy/<int:pk>/actions/", views.action_add, name="action_add"),
    path(
        "strategy/<int:pk>/actions/<int:action_pk>/complete/",
        views.action_complete,
        name="action_complete",
    ),
    path(
        "strategy/<int:pk>/<str:section>/<int:item_pk>/remove/",
        views.section_remove,
        name="section_remove",
    ),
    path("strategy/<int:pk>/conclude/", views.conclude, name="conclude"),
    path("strategy/<int:pk>/summary-sent/", views.summary_sent, name="summary_sent"),
    path("marve/", views.marve_list, name="marve_list"),
    path("marve/new/", views.marve_create, name="marve_create"),
    path("marve/<int:pk>/", views.marve_detail, name="marve_detail"),
    path("marve/<int:pk>/accept/", views.marve_decide, {"decision": "accept"}, name="marve_accept"),
    path(
        "marve/<int:pk>/decline/", views.marve_decide, {"decision": "decline"}, name="marve_decline"
    ),
    path("marve/<int:pk>/heard/", views.marve_decide, {"decision": "heard"}, name="marve_heard"),
]
