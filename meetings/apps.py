from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Strategy meetings and MARVE referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registration only: no database work here.
        from events.chronology import ChronologySource, register_source
        from meetings import chronology

        register_source(
            ChronologySource(
                name="meetings",
                entry_types=chronology.ENTRY_TYPES,
                for_person=chronology.for_person,
                for_context=chronology.for_context,
            )
        )
