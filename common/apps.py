from django.apps import AppConfig
from django.urls import register_converter

from .converters import YearConverter


class CommonConfig(AppConfig):
    """The lowest layer: framework pieces that know no domain (forms, pagination, periods, the nav, panel and
    spreadsheet registries). An app only so that its strings have a catalogue of their own."""

    name = "common"
    verbose_name = "Common"

    def ready(self):
        register_converter(YearConverter, "year")  # `<year:year>`: an impossible year is a 404
