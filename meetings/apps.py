from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Strategy meetings and MARVE referrals"
    default_auto_field = "django.db.models.BigAutoField"
