"""The pipeline page's counts are cached under the versions of the tables they read (recruitment.selectors.
pipeline_summary, common.table_versions): a second request reads them in one query however large the county, and a
write to what they count is seen on the next request. The table by organization is drawn by a template tag
(recruitment_tags.child_rows): the same HTML as the template's loop it replaced.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that wrote
commits, and inside a transaction (every other test) nothing is cached."""

import pytest
from django.template import engines
from django.urls import reverse

from recruitment.selectors import OrgCounts
from recruitment.templatetags.recruitment_tags import child_rows
from tests.concurrency import seeded  # noqa: F401  (a fixture)
from tests.conftest import login
from tests.factories import make_branch
from tests.recruitment.helpers import applicant, full_members, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

# The template's loop the tag replaced, kept as the reference for its HTML.
LOOP = engines["django"].from_string(
    "{% url 'recruitment:pipeline' as pipeline_url %}{% for row in children %}\n"
    '    <tr><td><a href="{{ pipeline_url }}?org={{ row.pk }}">{{ row.name }}</a></td>'
    '{% for n in row.cells %}<td class="text-end">{{ n }}</td>{% endfor %}</tr>\n'
    "  {% endfor %}"
)


def test_child_rows_are_the_html_of_the_template_loop():
    children = [
        OrgCounts(7, "B-1", '甲村<党支部> & "第一"', (1, 0, 12, 3, 1024)),
        OrgCounts(12, "B-2", "乙村党支部", (0, 0, 0, 0, 0)),
    ]
    assert str(child_rows(children)) == LOOP.render({"children": children})
    assert str(child_rows([])) == LOOP.render({"children": []}) == ""


@pytest.mark.usefixtures("seeded")  # the recruitment rules, which an earlier flush may have taken
def test_the_county_page_reads_its_counts_from_the_cache_and_sees_a_write(
    client, dora, county, township_a, branch_a1, alice, django_assert_num_queries
):
    url = reverse("recruitment:pipeline")
    applicant(branch_a1, alice, n=1)
    login(client, dora)
    first = client.get(url).context
    # session, user, the scope (2), the top organization, the versions: however many organizations and people
    with django_assert_num_queries(6):
        again = client.get(url).context
    assert [again[k] for k in ("counts", "children", "years")] == [
        first[k] for k in ("counts", "children", "years")
    ]
    for i in range(3):
        branch = make_branch(township_a, code=f"B-X{i}")
        walk(applicant(branch, alice, n=10 + i), alice, until="activist", people=full_members(branch_a1))
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert [n for _code, _label, n in response.context["counts"]] == [1, 3, 0, 0, 0]
    assert [(r.code, r.cells) for r in response.context["children"]] == [("T-A", (1, 3, 0, 0, 0))]
