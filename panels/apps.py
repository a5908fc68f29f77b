from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = "Panels, meetings and conferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registering a chronology source is an import and a dict entry: no database work.
        from events.chronology import register_source
        from panels.chronology import SOURCE

        register_source(SOURCE)
