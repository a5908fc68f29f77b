from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Key leads, consultations and NRM referrals"
    default_auto_field = "django.db.models.BigAutoField"
