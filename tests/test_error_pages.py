"""Issue 15: a missing (or forbidden: the same 404) page is ours, in Chinese, in the site's layout, and says what
to do next; the server-error page renders without a request."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_404_is_ours_and_in_chinese(client, alice, branch_b1):
    login(client, alice)
    response = client.get(f"/orgs/{branch_b1.pk}/")  # another township's branch: 404, like a missing one
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在，或不在您的查看范围内" in page
    assert "返回我的首页" in page and 'class="navbar' in page
    assert "Not Found" not in page


def test_500_renders_without_a_request():
    with translation.override("zh-hans"):
        page = render_to_string("500.html")
    assert "系统出现了错误" in page and "县委组织部" in page
