from django.urls import path

from contexts import views

app_name = "contexts"

urlpatterns = [
    path("", views.context_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/casework/", views.casework, name="casework"),
    path("<int:pk>/chronology/", views.chronology, name="chronology"),
    path("<int:pk>/people/", views.members, name="members"),
    path("<int:pk>/people/link/", views.link_person, name="link-person"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]
