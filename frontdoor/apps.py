from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "frontdoor"
    verbose_name = "Front door: contacts and screening"
    default_auto_field = "django.db.models.BigAutoField"
