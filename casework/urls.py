from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("mine/", views.my_caseload, name="my_caseload"),
    path("key-lead/allocate/", views.keylead_allocate, name="keylead_allocate"),
    path("key-lead/history/", views.keylead_history, name="keylead_history"),
    path("key-lead/<int:pk>/end/", views.keylead_end, name="keylead_end"),
    path("consultations/", views.consultation_queue, name="consultation_queue"),
    path("consultations/new/", views.consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("nrm/", views.nrm_list, name="nrm_list"),
    path("nrm/new/", views.nrm_create, name="nrm_create"),
    path("nrm/<int:pk>/", views.nrm_detail, name="nrm_detail"),
    path("nrm/<int:pk>/decision/", views.nrm_decide, name="nrm_decide"),
]
