from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Key leads, consultations and NRM referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registering a chronology source is an import and a dict entry: no database work.
        from casework.chronology import SOURCE
        from events.chronology import register_source

        register_source(SOURCE)
