import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from members.services import member_depart, member_transfer
from standing.models import Grade, MutualAssessment, Review, ReviewEntry
from standing.selectors import review_summary
from standing.services import (
    review_close,
    review_follow_up,
    review_grade,
    review_mutual_assess,
    review_open,
    review_self_assess,
)
from tests.conftest import login
from tests.factories import MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db
HELD = TODAY - dt.timedelta(days=10)


@pytest.fixture
def roster(branch_a1, mia, ned):
    """mia, ned and four more full members, one probationary member."""
    full = [MemberFactory(organization=branch_a1, name=f"党员{i}") for i in range(4)]
    probationer = MemberFactory(
        organization=branch_a1, name="预备党员", probationary=True, admitted_on=HELD - dt.timedelta(days=100)
    )
    return {"full": full, "probationer": probationer}


@pytest.fixture
def review(alice, branch_a1, roster):
    return review_open(organization=branch_a1, year=HELD.year, held_on=HELD, by=alice)


def _entry(review, member) -> ReviewEntry:
    return ReviewEntry.objects.get(review=review, member=member)


def _grades(review, grade_of) -> dict[int, str]:
    return {e.pk: grade_of(e) for e in review.entries.select_related("member") if not e.probationary}


def test_the_roster_of_the_review_date_takes_part(alice, bob, branch_a1, branch_a2, mia, ned, roster):
    later = MemberFactory(organization=branch_a1, name="新党员", admitted_on=HELD + dt.timedelta(days=1))
    moved_in = MemberFactory(organization=branch_a2, name="调入者")
    member_transfer(member=moved_in, to_organization=branch_a1, on=HELD + dt.timedelta(days=2), by=bob)
    moved_out = roster["full"][0]
    member_transfer(member=moved_out, to_organization=branch_a2, on=HELD + dt.timedelta(days=3), by=bob)
    MemberFactory(organization=branch_a2, name="别的支部")
    review = review_open(organization=branch_a1, year=HELD.year, held_on=HELD, by=alice)
    names = set(review.entries.values_list("member__name", flat=True))
    assert names == {"米娅", "内德", "党员0", "党员1", "党员2", "党员3", "预备党员"}
    assert later.name not in names and moved_in.name not in names
    assert _entry(review, roster["probationer"]).probationary
    assert not _entry(review, mia.member).probationary


def test_results_never_change_because_the_roster_did(alice, bob, branch_a2, review, roster, mia):
    review_grade(review=review, grades=_grades(review, lambda e: Grade.QUALIFIED), by=alice)
    before = review_summary(review=review)
    member_depart(member=roster["full"][1], on=TODAY, reason="left", by=alice)
    member_transfer(member=roster["full"][2], to_organization=branch_a2, on=TODAY, by=bob)
    MemberFactory(organization=review.organization, name="后来者")
    after = review_summary(review=review)
    assert after == before and after["participants"] == 7 and after["graded_n"] == 6


def test_one_review_per_year_and_not_before_it_is_held(alice, branch_a1, review):
    with pytest.raises(ValidationError):
        review_open(organization=branch_a1, year=HELD.year, held_on=HELD, by=alice)
    with pytest.raises(ValidationError):
        review_open(
            organization=branch_a1, year=TODAY.year + 1, held_on=TODAY + dt.timedelta(days=400), by=alice
        )
    assert Review.objects.count() == 1


def test_a_probationary_member_is_not_graded(alice, review, roster):
    entry = _entry(review, roster["probationer"])
    grades = _grades(review, lambda e: Grade.QUALIFIED) | {entry.pk: Grade.QUALIFIED}
    with pytest.raises(ValidationError, match="不评定等次|is not graded"):
        review_grade(review=review, grades=grades, by=alice)
    assert not ReviewEntry.objects.exclude(grade="").exists()  # nothing saved


def test_excellent_at_most_a_third_unless_a_reason_is_recorded(alice, review):
    entries = [e for e in review.entries.order_by("pk") if not e.probationary]  # six graded
    two = {e.pk: Grade.EXCELLENT if i < 2 else Grade.QUALIFIED for i, e in enumerate(entries)}
    review_grade(review=review, grades=two, by=alice)  # two of six: exactly a third
    three = two | {entries[2].pk: Grade.EXCELLENT}
    with pytest.raises(ValidationError) as e:
        review_grade(review=review, grades=three, by=alice)
    assert "excellent_reason" in e.value.message_dict
    assert ReviewEntry.objects.filter(grade=Grade.EXCELLENT).count() == 2  # nothing saved
    review_grade(review=review, grades=three, excellent_reason="本年度抗洪救灾表现突出", by=alice)
    assert ReviewEntry.objects.filter(grade=Grade.EXCELLENT).count() == 3
    review.refresh_from_db()
    assert review.excellent_reason == "本年度抗洪救灾表现突出"


def test_the_third_counts_those_graded_so_far(alice, review):
    entries = [e for e in review.entries.order_by("pk") if not e.probationary]
    with pytest.raises(ValidationError):
        review_grade(review=review, grades={entries[0].pk: Grade.EXCELLENT}, by=alice)
    review_grade(
        review=review,
        grades={entries[0].pk: Grade.EXCELLENT, entries[1].pk: Grade.QUALIFIED, entries[2].pk: Grade.BASIC},
        by=alice,
    )


def test_grading_through_the_page_shows_the_messages(client, alice, review, roster):
    login(client, alice)
    url = reverse("standing:review_grades", args=[review.pk])
    probationer = _entry(review, roster["probationer"])
    response = client.post(url, {f"entry_{probationer.pk}": Grade.QUALIFIED})
    assert response.status_code == 200
    assert "不评定等次" in response.content.decode() or "is not graded" in response.content.decode()
    everyone_excellent = {f"entry_{pk}": Grade.EXCELLENT for pk in _grades(review, lambda e: "")}
    response = client.post(url, everyone_excellent)
    assert response.status_code == 200 and "excellent_reason" in response.context["form"].errors
    assert not ReviewEntry.objects.exclude(grade="").exists()
    response = client.post(url, {f"entry_{pk}": Grade.QUALIFIED for pk in _grades(review, lambda e: "")})
    assert response.status_code == 302
    assert ReviewEntry.objects.filter(grade=Grade.QUALIFIED).count() == 6


def test_follow_up_for_unqualified(alice, review, roster):
    entry = _entry(review, roster["full"][0])
    with pytest.raises(ValidationError):  # not graded unqualified
        review_follow_up(entry=entry, measure="correction", due_on=TODAY, by=alice)
    review_grade(review=review, grades={entry.pk: Grade.UNQUALIFIED}, by=alice)
    entry.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        review_follow_up(entry=entry, measure="other", due_on=TODAY, by=alice)
    assert "procedure" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        review_follow_up(entry=entry, measure="correction", due_on=HELD - dt.timedelta(days=1), by=alice)
    assert "due_on" in e.value.message_dict
    review_follow_up(entry=entry, measure="correction", due_on=TODAY + dt.timedelta(days=90), by=alice)
    entry.refresh_from_db()
    assert entry.follow_up_measure == "correction" and entry.follow_up_due_on == TODAY + dt.timedelta(days=90)
    assert review_summary(review=review)["follow_ups_open"] == 1


def test_follow_up_page(client, alice, charlie, review, roster):
    entry = _entry(review, roster["full"][0])
    login(client, alice)
    url = reverse("standing:entry_follow_up", args=[entry.pk])
    assert client.get(url).status_code == 404  # not unqualified
    review_grade(review=review, grades={entry.pk: Grade.UNQUALIFIED}, by=alice)
    assert client.get(url).status_code == 200
    response = client.post(url, {"measure": "other", "procedure": "", "due_on": TODAY.isoformat()})
    assert response.status_code == 200 and "procedure" in response.context["form"].errors
    response = client.post(url, {"measure": "other", "procedure": "劝其退党", "due_on": TODAY.isoformat()})
    assert response.status_code == 302
    login(client, charlie)
    assert client.get(url).status_code == 404


def test_self_and_mutual_assessment_by_the_member(client, mia, ned, review, roster):
    login(client, mia)
    page = client.get(reverse("standing:my_review", args=[review.pk]))
    assert page.status_code == 200
    client.post(reverse("standing:my_review_self", args=[review.pk]), {"self_assessment": "认真学习"})
    mine = _entry(review, mia.member)
    mine.refresh_from_db()
    assert mine.self_assessment == "认真学习"
    neds = _entry(review, ned.member)
    client.post(
        reverse("standing:my_review_mutual", args=[review.pk]),
        {f"op_{neds.pk}": Grade.EXCELLENT, f"note_{neds.pk}": "积极"},
    )
    assessment = MutualAssessment.objects.get()
    assert (assessment.assessor, assessment.assessee, assessment.opinion) == (mine, neds, Grade.EXCELLENT)
    client.post(reverse("standing:my_review_mutual", args=[review.pk]), {f"op_{neds.pk}": ""})
    assert not MutualAssessment.objects.exists()  # withdrawn


def test_a_member_assesses_only_as_themselves_and_not_themselves(mia, ned, review):
    mine = _entry(review, mia.member)
    with pytest.raises(PermissionDenied):
        review_self_assess(entry=mine, text="x", by=ned)
    with pytest.raises(ValidationError):
        review_mutual_assess(entry=mine, opinions={mine.pk: (Grade.EXCELLENT, "")}, by=mia)
    with pytest.raises(ValidationError):
        review_self_assess(entry=mine, text="  ", by=mia)


def test_a_closed_review_does_not_change(alice, mia, review):
    review_close(review=review, by=alice)
    mine = _entry(review, mia.member)
    with pytest.raises(ValidationError):
        review_self_assess(entry=mine, text="迟到的", by=mia)
    with pytest.raises(ValidationError):
        review_grade(review=review, grades={mine.pk: Grade.QUALIFIED}, by=alice)


def test_member_page_panel_shows_the_result(client, alice, mia, review):
    mine = _entry(review, mia.member)
    review_grade(review=review, grades={mine.pk: Grade.QUALIFIED}, by=alice)
    login(client, alice)
    page = client.get(reverse("members:detail", args=[mia.member.pk])).content.decode()
    assert "民主评议" in page or "Democratic review" in page
    review_close(review=review, by=alice)
    login(client, mia)
    page = client.get(reverse("members:detail", args=[mia.member.pk])).content.decode()
    assert "合格" in page or "Qualified" in page


def test_member_gets_404_for_a_review_they_are_not_in(client, olaf, review):
    login(client, olaf)
    assert client.get(reverse("standing:my_review", args=[review.pk])).status_code == 404
    assert (
        client.post(
            reverse("standing:my_review_self", args=[review.pk]), {"self_assessment": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("standing:review", args=[review.pk])).status_code == 404


def test_member_cannot_open_the_offices_pages(client, mia, review):
    login(client, mia)
    for name in ("review", "review_grades"):
        assert client.get(reverse(f"standing:{name}", args=[review.pk])).status_code == 404
    assert client.post(reverse("standing:review_close", args=[review.pk])).status_code == 404
    assert client.get(reverse("standing:reviews")).status_code == 404


def test_outsider_secretary_gets_404(client, charlie, review):
    login(client, charlie)
    for name in ("review", "review_grades"):
        assert client.get(reverse(f"standing:{name}", args=[review.pk])).status_code == 404
    assert client.post(reverse("standing:review_close", args=[review.pk])).status_code == 404
    assert client.get(reverse("standing:my_review", args=[review.pk])).status_code == 404
    review.refresh_from_db()
    assert review.closed_on is None


def test_open_through_the_page(client, alice, branch_a1, branch_b1, roster):
    login(client, alice)
    response = client.post(reverse("standing:review_new"), {"organization": branch_b1.pk, "held_on": HELD})
    assert response.status_code == 200 and not Review.objects.exists()  # not a choice for alice
    response = client.post(reverse("standing:review_new"), {"organization": branch_a1.pk, "held_on": HELD})
    review = Review.objects.get()
    assert response["Location"] == reverse("standing:review", args=[review.pk])
    assert review.entries.count() == 7


def test_query_counts_do_not_grow_with_rows(client, alice, mia, review, django_assert_max_num_queries):
    review_grade(review=review, grades=_grades(review, lambda e: Grade.QUALIFIED), by=alice)
    login(client, alice)
    for name, args in (("reviews", []), ("review", [review.pk]), ("review_grades", [review.pk])):
        with django_assert_max_num_queries(10):
            assert client.get(reverse(f"standing:{name}", args=args)).status_code == 200
    login(client, mia)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:my_review", args=[review.pk])).status_code == 200


def test_member_cannot_give_opinions_in_another_review(client, olaf, review, mia):
    login(client, olaf)
    neds = review.entries.first()
    response = client.post(
        reverse("standing:my_review_mutual", args=[review.pk]), {f"op_{neds.pk}": "excellent"}
    )
    assert response.status_code == 404
    assert not MutualAssessment.objects.exists()


def test_outsider_lists_do_not_show_the_review(client, charlie, review):
    login(client, charlie)
    assert review not in list(client.get(reverse("standing:reviews")).context["page"])
    response = client.post(
        reverse("standing:review_new"), {"organization": review.organization_id, "held_on": HELD}
    )
    assert response.status_code == 200 and Review.objects.count() == 1


def test_form_pages_are_bounded(client, alice, review, roster, django_assert_max_num_queries):
    entry = _entry(review, roster["full"][0])
    review_grade(review=review, grades={entry.pk: Grade.UNQUALIFIED}, by=alice)
    login(client, alice)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:review_new")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("standing:entry_follow_up", args=[entry.pk])).status_code == 200
