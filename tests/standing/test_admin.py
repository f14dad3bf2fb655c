"""The admin never shows a suggestion's sender: on the site only the receiving office sees it."""

import pytest
from django.contrib.admin.sites import site

from standing.models import Suggestion

pytestmark = pytest.mark.django_db


def test_the_suggestion_admin_leaves_the_sender_out(rf, dora):
    request = rf.get("/admin/standing/suggestion/")
    request.user = dora
    model_admin = site._registry[Suggestion]
    assert "member" not in model_admin.get_fields(request)
    assert "member" not in model_admin.get_list_display(request)
