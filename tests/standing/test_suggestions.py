import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Delivery
from standing.jobs import suggestion_escalate
from standing.models import Suggestion
from standing.services import suggestion_answer, suggestion_submit
from tests.conftest import login

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _send(user, **kw):
    data = {"kind": "suggestion", "subject": "建议", "text": "多开学习会"} | kw
    return suggestion_submit(member=user.member, by=user, **data)


@pytest.fixture
def to_branch(mia, alice, bob):
    return _send(mia)


@pytest.fixture
def about_leaders(mia, alice, bob, dora, committee_a1):
    return _send(mia, kind="report", subject="反映书记", text="书记不按时开会", about_leaders=True)


def test_a_suggestion_goes_to_the_branch_with_a_time_limit(to_branch, branch_a1, alice, settings):
    assert to_branch.organization == branch_a1 == to_branch.first_organization
    assert to_branch.due_on == TODAY + dt.timedelta(days=settings.SUGGESTION_ANSWER_DAYS)
    delivery = Delivery.objects.get(kind="suggestion_received")
    assert delivery.user == alice and delivery.key == f"suggestion_received:{to_branch.pk}:{alice.pk}"


def test_the_time_limit_is_a_setting(mia, alice, settings):
    settings.SUGGESTION_ANSWER_DAYS = 7
    assert _send(mia).due_on == TODAY + dt.timedelta(days=7)


def test_to_the_level_above(mia, township_a, bob):
    suggestion = _send(mia, to_above=True)
    assert suggestion.organization == township_a
    assert Delivery.objects.get(kind="suggestion_received").user == bob


def test_a_report_about_the_branchs_leaders_goes_above_the_branch(about_leaders, township_a, alice, bob):
    assert about_leaders.organization == township_a
    assert {d.user for d in Delivery.objects.filter(kind="suggestion_received")} == {bob}


def test_branch_secretary_gets_404_on_a_report_about_its_leaders(client, about_leaders, alice):
    login(client, alice)
    assert client.get(reverse("standing:suggestion", args=[about_leaders.pk])).status_code == 404
    response = client.post(reverse("standing:suggestion_answer", args=[about_leaders.pk]), {"answer": "x"})
    assert response.status_code == 404
    listing = client.get(reverse("standing:suggestions"))
    assert about_leaders not in list(listing.context["page"])
    assert "反映书记" not in listing.content.decode()


def test_only_the_receiving_office_sees_who_sent_a_report_about_leaders(client, about_leaders, bob, dora):
    login(client, bob)
    page = client.get(reverse("standing:suggestion", args=[about_leaders.pk]))
    assert page.status_code == 200 and page.context["sender_visible"] and "米娅" in page.content.decode()
    login(client, dora)  # the county reads it, above the receiving office, but not who sent it
    page = client.get(reverse("standing:suggestion", args=[about_leaders.pk]))
    assert page.status_code == 200 and not page.context["sender_visible"]
    assert "米娅" not in page.content.decode()
    assert "米娅" not in client.get(reverse("standing:suggestions")).content.decode()


def test_an_ordinary_suggestion_shows_its_sender(client, to_branch, alice):
    login(client, alice)
    page = client.get(reverse("standing:suggestion", args=[to_branch.pk]))
    assert page.context["sender_visible"] and "米娅" in page.content.decode()


@pytest.mark.parametrize(("subject", "text", "field"), [("建议", "   ", "text"), ("", "内容", "subject")])
def test_an_empty_suggestion_is_refused(mia, alice, subject, text, field):
    with pytest.raises(ValidationError) as e:
        _send(mia, subject=subject, text=text)
    assert field in e.value.message_dict
    assert not Suggestion.objects.exists() and not Delivery.objects.exists()


def test_an_empty_suggestion_through_the_page(client, mia, alice):
    login(client, mia)
    response = client.post(
        reverse("standing:my_suggestion_new"), {"kind": "suggestion", "subject": "建议", "text": ""}
    )
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not Suggestion.objects.exists()


def test_a_member_sends_only_as_themselves(mia, ned):
    with pytest.raises(PermissionDenied):
        suggestion_submit(member=mia.member, kind="suggestion", subject="x", text="y", by=ned)


def test_member_sends_and_follows_the_status(client, mia, alice):
    login(client, mia)
    response = client.post(
        reverse("standing:my_suggestion_new"), {"kind": "question", "subject": "问题", "text": "何时开会"}
    )
    suggestion = Suggestion.objects.get()
    assert response["Location"] == reverse("standing:my_suggestion", args=[suggestion.pk])
    page = client.get(response["Location"])
    assert page.context["status"] == "open"
    suggestion_answer(suggestion=suggestion, answer="下周一", by=alice)
    page = client.get(reverse("standing:my_suggestion", args=[suggestion.pk]))
    assert page.context["status"] == "answered" and "下周一" in page.content.decode()
    assert Delivery.objects.filter(kind="suggestion_answered", user=mia).count() == 1


def test_answer_through_the_page_once(client, alice, to_branch):
    login(client, alice)
    url = reverse("standing:suggestion_answer", args=[to_branch.pk])
    client.post(url, {"answer": ""})
    to_branch.refresh_from_db()
    assert to_branch.answered_on is None  # an empty answer is refused
    client.post(url, {"answer": "已研究"})
    client.post(url, {"answer": "再次"})
    to_branch.refresh_from_db()
    assert to_branch.answer == "已研究" and to_branch.answered_by == alice


def test_member_gets_404_for_another_members_suggestion(client, to_branch, ned):
    login(client, ned)
    assert client.get(reverse("standing:my_suggestion", args=[to_branch.pk])).status_code == 404
    assert client.get(reverse("standing:suggestion", args=[to_branch.pk])).status_code == 404


def test_outsider_secretary_gets_404(client, to_branch, charlie):
    login(client, charlie)
    assert client.get(reverse("standing:suggestion", args=[to_branch.pk])).status_code == 404
    assert (
        client.post(reverse("standing:suggestion_answer", args=[to_branch.pk]), {"answer": "x"}).status_code
        == 404
    )
    assert client.get(reverse("standing:my_suggestion", args=[to_branch.pk])).status_code == 404
    assert to_branch not in list(client.get(reverse("standing:suggestions")).context["page"])


def test_a_secretary_without_a_member_record_has_no_member_pages(client, alice):
    login(client, alice)
    assert client.get(reverse("standing:my_suggestion_new")).status_code == 404
    assert client.get(reverse("standing:me")).status_code == 404


# -- escalation -----------------------------------------------------------------------------------------------
def test_unanswered_in_time_escalates_one_level_once(to_branch, township_a, county, bob, dora, mia):
    due = to_branch.due_on
    assert suggestion_escalate(due) == 0  # due today: still in time
    assert suggestion_escalate(due + dt.timedelta(days=1)) == 1
    to_branch.refresh_from_db()
    assert to_branch.organization == township_a and to_branch.escalated_on == due + dt.timedelta(days=1)
    assert to_branch.first_organization.code == "B-A1"
    keys = set(Delivery.objects.filter(kind="suggestion_escalated").values_list("key", flat=True))
    assert keys == {
        f"suggestion_escalated:{to_branch.pk}:{bob.pk}",
        f"suggestion_escalated:{to_branch.pk}:{mia.pk}",
    }
    # once: neither a second run nor the second time limit moves it again
    assert suggestion_escalate(due + dt.timedelta(days=1)) == 0
    assert suggestion_escalate(due + dt.timedelta(days=100)) == 0
    to_branch.refresh_from_db()
    assert to_branch.organization == township_a
    assert Delivery.objects.filter(kind="suggestion_escalated").count() == 2


def test_the_job_runs_through_run_jobs(to_branch, township_a, bob):
    call_command(
        "run_jobs", "--job", "suggestion_escalate", "--as-of", str(to_branch.due_on + dt.timedelta(days=2))
    )
    to_branch.refresh_from_db()
    assert to_branch.organization == township_a


def test_answered_in_time_is_not_escalated(to_branch, alice):
    suggestion_answer(suggestion=to_branch, answer="好", by=alice)
    assert suggestion_escalate(to_branch.due_on + dt.timedelta(days=5)) == 0


def test_after_escalation_the_branch_no_longer_answers_and_the_township_does(client, to_branch, alice, bob):
    suggestion_escalate(to_branch.due_on + dt.timedelta(days=1))
    login(client, alice)
    assert client.get(reverse("standing:suggestion", args=[to_branch.pk])).status_code == 404
    login(client, bob)
    client.post(reverse("standing:suggestion_answer", args=[to_branch.pk]), {"answer": "镇党委已处理"})
    to_branch.refresh_from_db()
    assert to_branch.answered_by == bob


def test_query_counts_do_not_grow_with_rows(client, mia, alice, django_assert_max_num_queries):
    for i in range(6):
        _send(mia, subject=f"建议{i}")
    one = Suggestion.objects.first()
    login(client, alice)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:suggestions")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:suggestion", args=[one.pk])).status_code == 200
    login(client, mia)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:me")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("standing:my_suggestion", args=[one.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("standing:my_suggestion_new")).status_code == 200


def test_a_report_naming_a_leader_goes_above_and_the_leader_must_be_on_the_committee(
    mia, ned, township_a, alice, bob, committee_a1
):
    report = _send(mia, kind="report", subject="反映", text="作风问题", concerning=committee_a1)
    assert report.about_leaders and report.organization == township_a and report.concerning == committee_a1
    with pytest.raises(ValidationError) as e:
        _send(mia, kind="report", subject="反映", text="作风问题", concerning=ned.member)
    assert "concerning" in e.value.message_dict
    assert Suggestion.objects.count() == 1


def test_the_form_offers_the_branchs_leaders(client, mia, alice, township_a, committee_a1):
    login(client, mia)
    page = client.get(reverse("standing:my_suggestion_new"))
    assert list(page.context["form"].fields["concerning"].queryset) == [committee_a1]
    client.post(
        reverse("standing:my_suggestion_new"),
        {"kind": "report", "subject": "反映", "text": "问题", "concerning": committee_a1.pk},
    )
    assert Suggestion.objects.get().organization == township_a
    login(client, alice)
    assert client.get(reverse("standing:suggestion", args=[Suggestion.objects.get().pk])).status_code == 404


def test_a_tampered_id_is_an_invalid_choice(client, mia, alice):
    login(client, mia)
    response = client.post(
        reverse("standing:my_suggestion_new"),
        {"kind": "report", "subject": "反映", "text": "问题", "concerning": "9" * 40},
    )
    assert response.status_code == 200 and "concerning" in response.context["form"].errors
