"""common.links.id_url: the address reversed once gives what reverse() gives for every id."""

import pytest
from django.urls import reverse

from common.links import ID_PLACEHOLDER, id_url


@pytest.mark.parametrize(
    "name", ["branches:detail", "branches:tree_children", "members:detail", "dues:payment_new", "care:member"]
)
def test_id_url_is_reverse(name):
    url = id_url(name)
    for pk in (1, 7, 38, 98765, ID_PLACEHOLDER + 1):
        assert url(pk) == reverse(name, args=[pk])
