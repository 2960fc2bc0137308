from django.apps import AppConfig


class InterlockConfig(AppConfig):
    name = "interlock"

    def ready(self) -> None:
        from collab.signals import period_closing
        from interlock.recompute import scores_flush_before_close

        period_closing.connect(scores_flush_before_close, dispatch_uid="interlock.scores_flush_before_close")
