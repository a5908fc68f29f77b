from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans for children and contexts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registering a chronology source is an import and a dict entry: no database work.
        from events.chronology import register_source
        from plans.chronology import SOURCE

        register_source(SOURCE)
