from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "mapping"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the signals that keep the hotspot counts as events and shares are written.
        from mapping import cellcounts  # noqa: F401
