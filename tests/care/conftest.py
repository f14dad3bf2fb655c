import pytest

from branches.models import Organization
from tests.factories import make_branch


@pytest.fixture
def organ_branch(township_a):
    """A non-rural branch (a township organ) in township_a."""
    return make_branch(township_a, code="B-A-ORGAN", name="甲镇机关支部", sector=Organization.Sector.ORGAN)
