from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "membumi.demo"
    verbose_name = "Demo world"
