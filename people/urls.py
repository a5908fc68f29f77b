from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("access-requests/", views.access_requests, name="access-requests"),
    path(
        "access-requests/<int:request_pk>/decide/",
        views.access_request_decide,
        name="access-request-decide",
    ),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/casework/", views.casework, name="casework"),
    path("<int:pk>/chronology/", views.chronology, name="chronology"),
    path("<int:pk>/associations/", views.associations, name="associations"),
    path("<int:pk>/associations/new/", views.association_add, name="association-add"),
    path("<int:pk>/contexts/", views.contexts, name="contexts"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/identifiers/new/", views.identifier_add, name="identifier-add"),
    path("<int:pk>/addresses/new/", views.address_add, name="address-add"),
    path("<int:pk>/break-glass/", views.break_glass, name="break-glass"),
    path("<int:pk>/request-access/", views.request_access, name="request-access"),
    path("<int:pk>/merge/", views.merge, name="merge"),
]
