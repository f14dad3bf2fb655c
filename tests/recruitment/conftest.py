import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (the catalogue's source)."""
    with translation.override("en"):
        yield
