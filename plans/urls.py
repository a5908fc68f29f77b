from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("new/", views.plan_create, name="plan_create"),
    path("my-actions/", views.my_actions, name="my_actions"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/end/", views.plan_end, name="plan_end"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("<int:pk>/reviews/new/", views.review_add, name="review_add"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/sessions/new/", views.session_add, name="session_add"),
]
