from django.urls import path

from frontdoor import views

app_name = "frontdoor"

urlpatterns = [
    path("new/", views.contact_create, name="contact_create"),
    path("new/person/", views.person_new, name="person_new"),
    path("new/context/", views.context_new, name="context_new"),
    path("sent/", views.sent_list, name="sent_list"),
    path("queue/", views.queue, name="queue"),
    path("timescales/", views.timescales, name="timescales"),
    path("<int:pk>/", views.contact_detail, name="contact_detail"),
    path("<int:pk>/sent/", views.contact_sent, name="contact_sent"),
    path("<int:pk>/sharing/", views.sharing_add, name="sharing_add"),
    path("<int:pk>/screen/", views.screening_start, name="screening_start"),
    path("<int:pk>/decision/", views.decision_create, name="decision_create"),
    path("<int:pk>/decision/review/", views.decision_review, name="decision_review"),
    path("<int:pk>/referrer-told/", views.referrer_told, name="referrer_told"),
]
