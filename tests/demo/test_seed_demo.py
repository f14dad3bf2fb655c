import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from branches.models import OfficerAssignment, Organization, PartyGroup, RoleAssignment
from branches.selectors import scope_for
from members.ages import add_years
from members.idnumbers import birth_date_of, gender_of, validate_id_number
from members.models import BranchOfficer, CommitteeTerm, Member
from users.models import User

AS_OF = dt.date(2025, 3, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_this_app(monkeypatch, request):
    """The roster and accounts are tested here; other apps' `demo.seed` are theirs to test (one test below
    checks that they are called)."""
    if request.node.name != "test_each_apps_demo_seed_is_called_with_its_own_generator":
        monkeypatch.setattr("demo.services._app_demo_modules", lambda: iter(()))


def _seed(*args):
    out = StringIO()
    call_command("seed_demo", "--seed", "7", "--as-of", AS_OF.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return _seed()


def test_builds_a_realistic_county(seeded):
    orgs = Organization.objects.all()
    assert orgs.filter(kind="township").count() == 8
    assert 100 <= orgs.count() <= 160
    assert set(orgs.values_list("sector", flat=True)) >= {
        "rural",
        "organ",
        "institution",
        "community",
        "enterprise",
    }
    assert (
        orgs.filter(kind__in=["party_committee", "general_branch"], children__isnull=False).distinct().count()
        >= 3
    )
    assert orgs.filter(sector="rural", kind="branch").count() > orgs.filter(sector="organ").count()
    # paths are right: every organization's path starts with its parent's
    assert not orgs.exclude(parent=None).exclude(path__startswith=F("parent__path")).exists()
    assert 2500 <= Member.objects.count() <= 3600
    assert PartyGroup.objects.exists()
    assert CommitteeTerm.objects.count() > 50
    assert BranchOfficer.objects.filter(position="secretary").count() == CommitteeTerm.objects.count()


def test_sub_branches_are_named_after_their_whole_unit(seeded):
    """ "县人民医院党委" has the sub-branch "县人民医院内科党支部", not "县人民医内科党支部" (issue 15)."""
    names = set(Organization.objects.filter(parent__kind="party_committee").values_list("name", flat=True))
    assert "县人民医院内科党支部" in names
    for parent in Organization.objects.filter(kind__in=["party_committee", "general_branch"]):
        unit = parent.name.removesuffix("党委").removesuffix("党总支")
        for child in parent.children.filter(kind="branch"):
            assert child.name.startswith(unit), (parent.name, child.name)


def test_members_are_consistent(seeded):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == len(members)
    for m in members:
        validate_id_number(m.id_number, birth_date=m.birth_date, gender=m.gender)
        assert birth_date_of(m.id_number) == m.birth_date and gender_of(m.id_number) == m.gender
        assert m.admitted_on >= add_years(m.birth_date, 18)
        assert m.admitted_on <= AS_OF
        assert m.full_member_on is None or m.admitted_on < m.full_member_on <= AS_OF
        assert m.organization.is_basic
    stats = Member.objects.aggregate(
        probationary=Count("pk", filter=Q(full_member_on=None)),
        pre1949=Count("pk", filter=Q(admitted_on__lt=dt.date(1949, 10, 1))),
        over80=Count("pk", filter=Q(birth_date__lte=dt.date(1945, 3, 3))),
        veterans=Count("pk", filter=Q(veteran_cadre=True)),
        hardship=Count("pk", filter=Q(hardship=True)),
        deceased=Count("pk", filter=~Q(died_on=None)),
    )
    assert all(stats.values()), stats
    names = {m.name for m in members}
    assert len(names) > len(members) / 3  # Chinese names, varied


def test_one_account_per_role_is_printed_and_scoped(seeded):
    assert "dangjian-demo-2025" in seeded
    for email in (
        "county@demo.local",
        "township@demo.local",
        "branch@demo.local",
        "officer@demo.local",
        "member@demo.local",
    ):
        assert email in seeded
        assert User.objects.get(email=email).check_password("dangjian-demo-2025")
    county = scope_for(User.objects.get(email="county@demo.local"))
    township = scope_for(User.objects.get(email="township@demo.local"))
    branch = scope_for(User.objects.get(email="branch@demo.local"))
    total = Organization.objects.count()
    assert county.organizations().count() == total
    assert 1 < township.organizations().count() < total
    assert branch.organizations().count() == 1
    assert OfficerAssignment.objects.filter(officer__email="officer@demo.local").count() == 2
    member = User.objects.get(email="member@demo.local")
    assert member.member.organization == branch.organizations().get()
    assert RoleAssignment.objects.filter(user=member, role="member").exists()


def test_deterministic_for_a_seed():
    _seed()
    first = list(
        Member.objects.order_by("id_number").values_list("id_number", "name", "organization__code")[:200]
    )
    _seed("--reset")
    second = list(
        Member.objects.order_by("id_number").values_list("id_number", "name", "organization__code")[:200]
    )
    assert first == second


def test_refuses_a_seeded_database_and_reset_rebuilds(seeded):
    with pytest.raises(CommandError, match="--reset"):
        _seed()
    out = _seed("--if-empty")
    assert "nothing seeded" in out and "county@demo.local" in out
    User.objects.create_superuser("root@example.com", "x")
    _seed("--reset")
    assert Organization.objects.filter(kind="county").count() == 1
    assert User.objects.filter(email="root@example.com", is_superuser=True).exists()


def test_demo_has_work_for_the_probation_job(seeded):
    from members.jobs import probation_due

    assert probation_due(AS_OF) > 0


def test_each_apps_demo_seed_is_called_with_its_own_generator(monkeypatch):
    import random
    import types

    calls = []
    fake = types.SimpleNamespace(
        seed=lambda *, rng, as_of, scale: calls.append((rng.random(), as_of, scale)),
        reset=lambda: calls.append("reset"),
    )
    monkeypatch.setattr("demo.services._app_demo_modules", lambda: iter([("education", fake)]))
    _seed()
    assert calls == [(random.Random("7:education").random(), AS_OF, "demo")]
    _seed("--reset")
    assert calls[1] == "reset"


def test_members_have_plausible_education_and_occupation(seeded):
    from members.statistics import party_statistics

    members = Member.objects.all()
    assert members.exclude(education_level="").count() > 0.9 * members.count()
    assert members.exclude(occupation="").count() > 0.9 * members.count()
    assert set(members.values_list("education_level", flat=True)) >= set(Member.Education.values)
    assert set(members.values_list("occupation", flat=True)) >= set(Member.Occupation.values) - {"student"}
    rural = members.filter(organization__sector="rural")
    assert rural.filter(occupation="farmer").count() > rural.count() / 2
    organ = members.filter(organization__sector="organ").exclude(occupation="retired")
    assert organ.filter(occupation="civil_servant").count() > organ.count() / 2
    assert (
        organ.filter(education_level__in=["undergraduate", "postgraduate", "college"]).count()
        > organ.count() / 2
    )
    # The statistics of the demo county: every measure adds up to the members on the roll.
    county = Organization.objects.get(kind="county")
    counts = {(r.measure, r.category): r.count for r in party_statistics(org=county, as_of=AS_OF)}
    total = counts[("total", "all")]
    assert total > 2000
    for measure in ("status", "gender", "age_band", "admission_period", "education", "occupation"):
        assert sum(v for (m, _c), v in counts.items() if m == measure) == total, measure
    assert counts[("organizations", "township_committee")] == 8
