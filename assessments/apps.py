from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Single assessments and context assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registration only: no database work here.
        from assessments.chronology import SOURCE
        from events.chronology import register_source

        register_source(SOURCE)
