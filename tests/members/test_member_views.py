import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from branches.models import RoleAssignment
from members.idnumbers import make_id_number
from members.models import Member, SensitiveAccess, Transfer
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_branch, make_party_group, make_role

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


# -- list ----------------------------------------------------------------------------------------------


def test_branch_secretary_lists_only_own_branch(client, alice, branch_a1, branch_a2, branch_b1):
    mine = MemberFactory(organization=branch_a1, name="甲一党员")
    MemberFactory(organization=branch_a2, name="甲二党员")
    MemberFactory(organization=branch_b1, name="乙一党员")
    response = login(client, alice).get(reverse("members:list"))
    assert response.status_code == 200
    assert [m["pk"] for m in response.context["page"]] == [mine.pk]


def test_township_secretary_lists_township(client, bob, branch_a1, branch_a2, branch_b1):
    MemberFactory(organization=branch_a1)
    MemberFactory(organization=branch_a2)
    MemberFactory(organization=branch_b1)
    response = login(client, bob).get(reverse("members:list"))
    assert {m["organization_id"] for m in response.context["page"]} == {branch_a1.pk, branch_a2.pk}


def test_county_lists_all(client, dora, branch_a1, branch_b1):
    MemberFactory(organization=branch_a1)
    MemberFactory(organization=branch_b1)
    response = login(client, dora).get(reverse("members:list"))
    assert response.context["page"].paginator.count == 2


def test_search_by_name_phone_and_id_suffix(client, alice, branch_a1):
    target = MemberFactory(organization=branch_a1, name="王小明", phone="13912345678")
    MemberFactory(organization=branch_a1, name="李四", phone="13800000000")
    login(client, alice)
    for q in ["小明", "1391234", target.id_number[-4:]]:
        page = client.get(reverse("members:list"), {"q": q}).context["page"]
        assert [m["pk"] for m in page] == [target.pk], q


def test_filters(client, bob, branch_a1, branch_a2):
    group = make_party_group(branch_a1)
    probationary = MemberFactory(organization=branch_a1, probationary=True)
    veteran = MemberFactory(organization=branch_a2, veteran_cadre=True, party_group=None)
    grouped = MemberFactory(organization=branch_a1, party_group=group, hardship=True, is_mobile=True)
    dead = MemberFactory(organization=branch_a1, died_on=dt.date(2020, 1, 1))
    login(client, bob)

    def pks(**params):
        return {m["pk"] for m in client.get(reverse("members:list"), params).context["page"]}

    assert pks(status="probationary") == {probationary.pk}
    assert pks(veteran_cadre="true") == {veteran.pk}
    assert pks(party_group=group.pk) == {grouped.pk}
    assert pks(hardship="true") == {grouped.pk}
    assert pks(is_mobile="true") == {grouped.pk}
    assert pks(organization=branch_a2.pk) == {veteran.pk}
    assert dead.pk not in pks()
    assert pks(deceased="yes") == {dead.pk}
    assert dead.pk in pks(deceased="all")


def test_list_shows_age_and_party_age(client, alice, branch_a1):
    MemberFactory(organization=branch_a1, birth_date=dt.date(1950, 1, 1), full_member_on=dt.date(1980, 1, 1))
    rows = login(client, alice).get(reverse("members:list")).context["rows"]
    today = dt.date.today()
    assert rows[0]["age"] == today.year - 1950
    assert rows[0]["party_age"] == today.year - 1980


def test_list_paginates(client, settings, alice, branch_a1):
    settings.PAGE_SIZE = 5
    MemberFactory.create_batch(7, organization=branch_a1)
    response = login(client, alice).get(reverse("members:list"), {"page": 2})
    assert len(response.context["page"]) == 2


@pytest.mark.parametrize("count", [3, 60])
def test_list_query_count_is_bounded(client, bob, branch_a1, branch_a2, count, django_assert_num_queries):
    group = make_party_group(branch_a1)
    MemberFactory.create_batch(count, organization=branch_a1, party_group=group)
    login(client, bob)
    client.get(reverse("members:list"))  # warm up the session
    with django_assert_num_queries(7):
        response = client.get(reverse("members:list"), {"q": "党员"})
    assert response.status_code == 200


def test_member_role_user_is_sent_to_own_record(client, branch_a1):
    user = UserFactory()
    make_role(user, branch_a1, Role.MEMBER)
    MemberFactory(organization=branch_a1, user=user)
    response = login(client, user).get(reverse("members:list"))
    assert response.status_code == 302
    assert response.url == reverse("members:me")


# -- detail --------------------------------------------------------------------------------------------


def test_detail_masks_id_and_shows_history(client, alice, member_a1):
    response = login(client, alice).get(reverse("members:detail", args=[member_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert member_a1.id_number not in body
    assert member_a1.masked_id_number in body


def test_outsider_gets_404_on_member_pages(client, charlie, member_a1, branch_b1):
    login(client, charlie)
    for name in ["detail", "edit", "transfer", "death"]:
        assert client.get(reverse(f"members:{name}", args=[member_a1.pk])).status_code == 404, name
    assert client.post(reverse("members:reveal_id", args=[member_a1.pk])).status_code == 404
    assert (
        client.post(
            reverse("members:transfer", args=[member_a1.pk]),
            {"to_organization": branch_b1.pk, "transferred_on": "2024-01-01"},
        ).status_code
        == 404
    )
    assert not Transfer.objects.exists()


def test_member_user_sees_only_own_record(client, branch_a1, member_a1):
    user = UserFactory()
    make_role(user, branch_a1, Role.MEMBER)
    own = MemberFactory(organization=branch_a1, user=user)
    login(client, user)
    assert client.get(reverse("members:me")).context["member"] == own
    assert client.get(reverse("members:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[member_a1.pk])).status_code == 404
    assert client.get(reverse("members:edit", args=[own.pk])).status_code == 404


def test_me_without_member_record_is_404(client, alice):
    assert login(client, alice).get(reverse("members:me")).status_code == 404


def _member_with_history(alice, branch_a1, changes):
    from members.services import member_transfer, member_update
    from users.services import system_user

    group = make_party_group(branch_a1, name=f"第{changes}党小组")
    member = MemberFactory(organization=branch_a1, party_group=group)
    for i in range(changes):
        member_update(member=member, phone=f"1380000{i:04d}", by=alice)
    other = make_branch(branch_a1.parent)
    for _ in range(min(changes, 3)):
        member_transfer(member=member, to_organization=other, by=alice)
        member_transfer(member=member, to_organization=branch_a1, by=system_user())
    return member


@pytest.mark.parametrize("changes", [1, 30])
def test_detail_query_count_is_bounded(
    client, monkeypatch, alice, branch_a1, changes, django_assert_num_queries
):
    """Our own queries (other apps' panels are counted in the next test)."""
    monkeypatch.setattr("common.panels.member_panels", lambda **kw: [])
    member = _member_with_history(alice, branch_a1, changes)
    login(client, alice)
    client.get(reverse("members:detail", args=[member.pk]))
    with django_assert_num_queries(10):
        assert client.get(reverse("members:detail", args=[member.pk])).status_code == 200


def test_detail_query_count_with_panels_does_not_grow(client, alice, branch_a1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, alice)
    counts = []
    for changes in (1, 30):
        member = _member_with_history(alice, branch_a1, changes)
        client.get(reverse("members:detail", args=[member.pk]))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("members:detail", args=[member.pk]))
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_reveal_id_for_writer_is_recorded(client, alice, member_a1):
    response = login(client, alice).post(
        reverse("members:reveal_id", args=[member_a1.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert member_a1.id_number in response.content.decode()
    assert SensitiveAccess.objects.filter(user=alice, member=member_a1, field="id_number").count() == 1


def test_officer_cannot_reveal_id(client, branch_a1, member_a1):
    officer = UserFactory()
    make_role(officer, branch_a1, Role.OFFICER)
    login(client, officer)
    assert client.get(reverse("members:detail", args=[member_a1.pk])).status_code == 200
    assert client.post(reverse("members:reveal_id", args=[member_a1.pk])).status_code == 404
    assert client.get(reverse("members:edit", args=[member_a1.pk])).status_code == 404
    assert not SensitiveAccess.objects.exists()


# -- create and edit -----------------------------------------------------------------------------------


def _form_data(org, **overrides):
    data = {
        "name": "赵六",
        "id_number": make_id_number("140502", dt.date(1980, 3, 4), 5, male=True),
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "organization": org.pk,
        "admitted_on": "2005-06-01",
        "full_member_on": "2006-06-01",
        "phone": "13800001111",
    }
    data.update(overrides)
    return data


def test_create_reads_birth_date_and_gender_from_id(client, alice, branch_a1):
    response = login(client, alice).post(reverse("members:create"), _form_data(branch_a1))
    member = Member.objects.get(name="赵六")
    assert response.status_code == 302
    assert member.birth_date == dt.date(1980, 3, 4)
    assert member.gender == "male"
    record = member.history.get()
    assert record.history_user == alice


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"id_number": "140502198003040051"}, "id_number", "check digit"),
        ({"birth_date": "1980-03-05"}, "id_number", "does not match"),
        ({"gender": "female"}, "id_number", "gender"),
        ({"full_member_on": "2004-01-01"}, "full_member_on", "before the admission"),
        ({"id_number": "12345"}, "id_number", "18 characters"),
    ],
)
def test_create_rejects_bad_input_and_keeps_what_was_typed(client, alice, branch_a1, overrides, field, text):
    from django.utils import translation

    login(client, alice)
    with translation.override("en"):
        response = client.post(
            reverse("members:create"), _form_data(branch_a1, **overrides), HTTP_ACCEPT_LANGUAGE="en"
        )
    client.cookies.load({"django_language": "en"})
    response = client.post(reverse("members:create"), _form_data(branch_a1, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert text in " ".join(form.errors[field])
    assert form["name"].value() == "赵六"
    assert not Member.objects.exists()


def test_create_in_other_branch_is_refused(client, alice, branch_a2):
    response = login(client, alice).post(reverse("members:create"), _form_data(branch_a2))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Member.objects.exists()


def test_party_group_must_belong_to_the_organization(client, bob, branch_a1, branch_a2):
    group = make_party_group(branch_a2)
    client.cookies.load({"django_language": "en"})
    response = login(client, bob).post(reverse("members:create"), _form_data(branch_a1, party_group=group.pk))
    assert "another organization" in " ".join(response.context["form"].errors["party_group"])


def test_edit_records_history_with_user(client, alice, member_a1):
    login(client, alice)
    data = {
        "name": member_a1.name,
        "id_number": member_a1.id_number,
        "gender": member_a1.gender,
        "birth_date": member_a1.birth_date.isoformat(),
        "ethnicity": "回族",
        "admitted_on": member_a1.admitted_on.isoformat(),
        "full_member_on": member_a1.full_member_on.isoformat(),
        "phone": "13999999999",
    }
    response = client.post(reverse("members:edit", args=[member_a1.pk]), data)
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.phone == "13999999999"
    latest = member_a1.history.latest()
    assert latest.history_user == alice
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert changed == {"phone", "ethnicity"}
    page = client.get(reverse("members:detail", args=[member_a1.pk])).content.decode()
    assert "13999999999" in page and "回族" in page


# -- transfer and death ---------------------------------------------------------------------------------


def test_transfer_anywhere_in_county(client, alice, branch_a1, branch_b1):
    group = make_party_group(branch_a1)
    member = MemberFactory(organization=branch_a1, party_group=group)
    response = login(client, alice).post(
        reverse("members:transfer", args=[member.pk]),
        {"to_organization": branch_b1.pk, "transferred_on": dt.date.today().isoformat(), "reason": "迁居"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.organization == branch_b1
    assert member.party_group is None
    transfer = Transfer.objects.get()
    assert (transfer.from_organization, transfer.to_organization, transfer.created_by) == (
        branch_a1,
        branch_b1,
        alice,
    )
    assert member.history.latest().history_user == alice
    # The member has left alice's scope.
    assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404


def test_transfer_to_township_is_refused(client, alice, member_a1, township_b):
    login(client, alice)
    response = client.post(
        reverse("members:transfer", args=[member_a1.pk]),
        {"to_organization": township_b.pk, "transferred_on": dt.date.today().isoformat()},
    )
    assert response.status_code == 200
    assert "to_organization" in response.context["form"].errors
    assert not Transfer.objects.exists()


def test_record_death(client, alice, member_a1):
    login(client, alice)
    response = client.post(reverse("members:death", args=[member_a1.pk]), {"died_on": "2024-02-03"})
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.died_on == dt.date(2024, 2, 3)
    assert member_a1.history.latest().history_user == alice


def test_death_in_future_refused(client, alice, member_a1):
    login(client, alice)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("members:death", args=[member_a1.pk]), {"died_on": future})
    assert response.status_code == 200
    member_a1.refresh_from_db()
    assert member_a1.died_on is None


# -- export ----------------------------------------------------------------------------------------------


def test_browser_export_is_the_users_write_scope(client, bob, branch_a1, branch_b1):
    MemberFactory(organization=branch_a1, name="甲")
    MemberFactory(organization=branch_b1, name="乙")
    response = login(client, bob).get(reverse("members:export"), {"format": "csv"})
    names = [row["姓名"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert names == ["甲"]
    assert SensitiveAccess.objects.filter(user=bob, field="export").exists()


def test_officer_cannot_export(client, branch_a1):
    officer = UserFactory()
    make_role(officer, branch_a1, Role.OFFICER)
    assert login(client, officer).get(reverse("members:export")).status_code == 404


def test_nav_for_roles(client, alice, branch_a1):
    page = login(client, alice).get(reverse("members:list")).content.decode()
    assert reverse("branches:list") in page
    assert reverse("spreadsheets:index") in page
