"""Factories shared by every app's tests. Organizations are created through the service so paths are right."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from branches.models import Organization, PartyGroup, RoleAssignment
from branches.services import organization_create
from members.idnumbers import make_id_number
from members.models import Member
from users.models import User

_org_seq = itertools.count(1)
_id_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pass-word-123")
    language = "zh-hans"


def make_org(
    kind: str = Organization.Kind.BRANCH,
    *,
    parent: Organization | None = None,
    sector: str = Organization.Sector.RURAL,
    name: str | None = None,
    code: str | None = None,
    **extra,
) -> Organization:
    n = next(_org_seq)
    return organization_create(
        code=code or f"ORG{n:05d}",
        name=name or f"{kind}-{n}",
        kind=kind,
        sector=sector,
        parent=parent,
        **extra,
    )


def make_county(**kw) -> Organization:
    return make_org(Organization.Kind.COUNTY, sector=Organization.Sector.ORGAN, name="示范县委", **kw)


def make_township(county: Organization, **kw) -> Organization:
    kw.setdefault("sector", Organization.Sector.RURAL)
    return make_org(Organization.Kind.TOWNSHIP, parent=county, **kw)


def make_branch(parent: Organization, **kw) -> Organization:
    return make_org(Organization.Kind.BRANCH, parent=parent, **kw)


def make_role(user: User, org: Organization, role: str) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, organization=org, role=role)


class MemberFactory(factory.django.DjangoModelFactory):
    """A valid member: consistent ID number, birth date and gender; full member by default."""

    class Meta:
        model = Member

    class Params:
        probationary = False

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    birth_date = dt.date(1970, 5, 17)
    organization = None
    admitted_on = factory.LazyAttribute(lambda m: m.birth_date.replace(year=m.birth_date.year + 25))
    full_member_on = factory.LazyAttribute(
        lambda m: None if m.probationary else m.admitted_on.replace(year=m.admitted_on.year + 1)
    )
    # 100 sequence numbers per region and birth date: the region code moves on every 100 members.
    id_number = factory.LazyAttribute(
        lambda m: _unique_id_number(m.birth_date, male=m.gender == Member.Gender.MALE)
    )
    phone = "13800000000"


def _unique_id_number(birth_date: dt.date, *, male: bool) -> str:
    n = next(_id_seq)
    return make_id_number(f"{140100 + n // 100:06d}", birth_date, n % 100, male=male)


def make_party_group(org: Organization, name: str = "第一党小组") -> PartyGroup:
    return PartyGroup.objects.create(organization=org, name=name)
