from django.urls import path

from missing import views

app_name = "missing"

urlpatterns = [
    path("episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:pk>/edit/", views.episode_update, name="episode_update"),
    path("episodes/<int:pk>/interview/", views.interview_edit, name="interview_edit"),
    path("interviews/", views.interviews, name="interviews"),
    path("prompts/", views.prompts, name="prompts"),
    path("prompts/<int:pk>/", views.prompt_detail, name="prompt_detail"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
]
