from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("people/", include("people.urls")),
    path("contexts/", include("contexts.urls")),
    path("events/", include("events.urls")),
    path("front-door/", include("frontdoor.urls")),
    path("assessments/", include("assessments.urls")),
    path("missing/", include("missing.urls")),
    path("meetings/", include("meetings.urls")),
    path("casework/", include("casework.urls")),
    path("plans/", include("plans.urls")),
    path("panels/", include("panels.urls")),
    path("mapping/", include("mapping.urls")),
]

handler400 = "contextsafe.errors.bad_request"
handler403 = "contextsafe.errors.permission_denied"
handler404 = "contextsafe.errors.page_not_found"
handler500 = "contextsafe.errors.server_error"
