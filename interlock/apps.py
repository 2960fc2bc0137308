from django.apps import AppConfig


class InterlockConfig(AppConfig):
    name = "interlock"
