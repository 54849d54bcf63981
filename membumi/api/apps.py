from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "membumi.api"
    verbose_name = "API"
