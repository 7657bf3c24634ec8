"""The baseline's Django application."""

from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "bench.django_app"
    label = "leads"
    default_auto_field = "django.db.models.BigAutoField"
