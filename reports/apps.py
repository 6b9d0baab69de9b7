from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Scope documents"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the production start-up checks)
