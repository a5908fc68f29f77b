from django.urls import path

from accounts import manage_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("security-code/", views.second_factor, name="second-factor"),
    path("security-code/set-up/", views.second_factor_setup, name="second-factor-setup"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_done, name="password-reset-done"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password-change"),
    path("manage/users/", manage_views.user_list, name="user-list"),
    path("manage/users/new/", manage_views.user_create, name="user-create"),
    path("manage/users/<int:pk>/", manage_views.user_detail, name="user-detail"),
    path("manage/users/<int:pk>/edit/", manage_views.user_edit, name="user-edit"),
    path(
        "manage/users/<int:pk>/reset-second-factor/",
        manage_views.user_reset_second_factor,
        name="user-reset-second-factor",
    ),
    path("manage/users/<int:pk>/unlock/", manage_views.user_unlock, name="user-unlock"),
    path(
        "manage/users/<int:pk>/send-password-link/",
        manage_views.user_send_password_link,
        name="user-send-password-link",
    ),
    path("manage/agencies/", manage_views.agency_list, name="agency-list"),
    path("manage/agencies/new/", manage_views.agency_create, name="agency-create"),
    path("manage/agencies/<int:pk>/edit/", manage_views.agency_edit, name="agency-edit"),
    path(
        "manage/agencies/<int:agency_pk>/teams/new/", manage_views.team_create, name="team-create"
    ),
    path("manage/teams/<int:pk>/edit/", manage_views.team_edit, name="team-edit"),
]
