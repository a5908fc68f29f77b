from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "missing"
    verbose_name = "Missing episodes and return home interviews"
    default_auto_field = "django.db.models.BigAutoField"
