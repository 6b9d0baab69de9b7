from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    label = "reports"  # the tables and migrations were made under this label; no data moves
    verbose_name = "Scope documents"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the production start-up checks)
