from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "frontdoor"
    verbose_name = "Front door: contacts and screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registration only: no database work here.
        from events.chronology import ChronologySource, register_source
        from frontdoor import chronology

        register_source(
            ChronologySource(
                name="frontdoor",
                entry_types=chronology.ENTRY_TYPES,
                for_person=chronology.for_person,
                for_context=chronology.for_context,
            )
        )
