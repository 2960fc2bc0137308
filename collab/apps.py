from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Collab platform"

    def ready(self) -> None:
        from collab import signals

        signals.connect()
