from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "missing"
    verbose_name = "Missing episodes and return home interviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registration only (no database work): the chronology asks this app for its entries.
        from events.chronology import register_source
        from missing.chronology import SOURCE

        register_source(SOURCE)
