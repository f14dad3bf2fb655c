"""The demo county: a realistic, deterministic (for a seed and an as-of date) county built with bulk inserts.

demo:  8 townships, ~120 organizations, ~3,000 members;  large: 30 townships, ~600 organizations, ~20,000
members (for benchmarks). Members have Chinese names, valid and unique ID numbers (GB 11643) that agree with
their birth dates and genders, consistent admission and full-membership dates, party groups in the larger
village branches, committee terms with officers, and a few transfers. One demo account per role.
Each app may add its own demo data in `<app>/demo.py`: `seed(*, rng, as_of, scale)`, and, if it creates rows
that do not depend on an organization, member or account, `reset()` to remove them before a `--reset`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ForeignKey, Model

from branches.models import OfficerAssignment, Organization, PartyGroup, RoleAssignment
from branches.services import admin_access_sync, organizations_rebuild_paths
from common.discovery import app_modules
from members.ages import add_years
from members.idnumbers import make_id_number
from members.models import BranchOfficer, CommitteeTerm, Member, Transfer
from users.models import User

from . import data

Kind = Organization.Kind
Sector = Organization.Sector
Role = RoleAssignment.Role
PASSWORD = "dangjian-demo-2025"
COUNTY_REGION = "141126"
OTHER_REGIONS = ("141127", "141102", "140502", "141181", "140721")


@dataclass(frozen=True)
class Scale:
    townships: int
    villages: tuple[int, int]  # per township
    village_members: tuple[int, int]
    organs: int
    institutions: int
    enterprises: int
    communities: int
    village_general_branches: int  # big villages organized as 党总支 with sub-branches


SCALES = {
    "demo": Scale(8, (6, 8), (14, 46), 10, 5, 3, 4, 2),
    "large": Scale(30, (14, 18), (16, 56), 32, 15, 10, 8, 12),
}


@dataclass
class DemoAccount:
    role: str
    email: str
    where: str


@dataclass
class Result:
    organizations: int = 0
    members: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)


class DemoAlreadySeeded(Exception):
    pass


def demo_database_is_empty() -> bool:
    return not Organization.objects.exists() and not Member.objects.exists()


def demo_reset() -> None:
    """Erase the county: every organization, member and non-superuser account, and every row of any model
    that cannot exist without them (found by following non-null foreign keys, with their change history).
    Reference data that apps install by migration (meeting kinds, benefit rules, ...) stays, and so do the
    superusers; nullable links to erased rows are cleared. Runs in one transaction: foreign keys are checked
    at commit, when everything that pointed at an erased row is gone too."""
    from django.db import connection

    for _name, module in _app_demo_modules():
        if hasattr(module, "reset"):  # an app's own demo-only rows that hang on nothing erased here
            module.reset()
    erased: set[type[Model]] = {Organization, Member}
    all_models = apps.get_models(include_auto_created=True)
    changed = True
    while changed:
        changed = False
        for model in all_models:
            if model in erased:
                continue
            for f in model._meta.concrete_fields:
                if f.many_to_one or f.one_to_one:
                    target = f.related_model
                    if not f.null and (target in erased or target is User) and model is not User:
                        erased.add(model)
                        changed = True
                        break
    try:
        from simple_history.models import registered_models
        from simple_history.utils import get_history_model_for_model

        erased |= {get_history_model_for_model(m) for m in list(erased) if m in registered_models.values()}
    except ImportError:  # pragma: no cover
        pass
    with transaction.atomic():
        for model in all_models:
            if model in erased:
                continue
            for f in model._meta.concrete_fields:
                # db_constraint is missing from django-stubs' ForeignKey (OneToOneField is one too)
                if not (f.null and isinstance(f, ForeignKey)) or not f.db_constraint:  # type: ignore[attr-defined]
                    continue
                if f.related_model in erased:
                    model._base_manager.exclude(**{f.attname: None}).update(**{f.attname: None})
                elif f.related_model is User:
                    model._base_manager.filter(**{f"{f.name}__is_superuser": False}).update(
                        **{f.attname: None}
                    )
        for model in erased:
            model._base_manager.all()._raw_delete(connection.alias)
        User._base_manager.filter(is_superuser=False)._raw_delete(connection.alias)


def demo_accounts() -> list[DemoAccount]:
    """The printed demo accounts that exist in the database (for a second `seed_demo --if-empty`)."""
    printed = [
        "county@demo.local",
        "township@demo.local",
        "branch@demo.local",
        "officer@demo.local",
        "member@demo.local",
    ]
    rows = RoleAssignment.objects.filter(user__email__in=printed).select_related("user", "organization")
    found = [DemoAccount(str(r.get_role_display()), r.user.email, r.organization.name) for r in rows]
    found += [
        DemoAccount(str(Role.OFFICER.label), a.officer.email, a.organization.name)
        for a in OfficerAssignment.objects.filter(officer__email="officer@demo.local").select_related(
            "officer", "organization"
        )
    ]
    return sorted(found, key=lambda a: printed.index(a.email))


def demo_seed(
    *,
    scale: str = "demo",
    seed: int = 1,
    as_of: dt.date,
    reset: bool = False,
    log: Callable[[str], None] = lambda _m: None,
) -> Result:
    """Build the demo county. Refuses a database that already has organizations unless `reset`."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    if not demo_database_is_empty():
        if not reset:
            raise DemoAlreadySeeded(
                "The database already has organizations or members; run with --reset to erase it first."
            )
        demo_reset()
    builder = _Builder(
        scale=SCALES[scale],
        scale_name=scale,
        rng=random.Random(seed),
        profile_rng=random.Random(f"{seed}:profile"),
        as_of=as_of,
        log=log,
    )
    with transaction.atomic():
        builder.build()
    with transaction.atomic():
        builder.seed_apps(seed)
    return builder.result


class _Builder:
    def __init__(
        self,
        *,
        scale: Scale,
        scale_name: str,
        rng: random.Random,
        profile_rng: random.Random,
        as_of: dt.date,
        log,
    ):
        self.s = scale
        self.scale_name = scale_name
        self.rng = rng
        # 学历 and 职业 draw from a generator of their own, so that adding them left the rest of the county as
        # it was for the same seed.
        self.profile_rng = profile_rng
        self.as_of = as_of
        self.log = log
        self.result = Result()
        self.leaves: list[Organization] = []  # organizations that hold members directly
        self.id_numbers: set[str] = set()
        self.villages: dict[str, str] = {}  # organization code → village name, for addresses
        self._t = time.perf_counter()
        self._code_seq = 0

    def _lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.timings[name] = now - self._t
        self._t = now
        self.log(f"  {name}: {self.result.timings[name]:.1f}s")

    # -- organizations -----------------------------------------------------------------------------
    def _org(self, name, kind, sector, parent, code) -> Organization:
        founded = self.as_of.replace(year=self.rng.randint(1950, 2015), month=1, day=1) + dt.timedelta(
            days=self.rng.randint(0, 360)
        )
        return Organization(
            code=code,
            name=name,
            kind=kind,
            sector=sector,
            parent=parent,
            established_on=founded,
            path="",
            depth=0,
        )

    def _insert(self, orgs: list[Organization]) -> list[Organization]:
        # bulk_create returns primary keys on PostgreSQL and SQLite ≥ 3.35, so the next level can point at them.
        return Organization.objects.bulk_create(orgs, batch_size=500)

    def build(self) -> None:
        rng, s = self.rng, self.s
        county = self._insert([self._org("示范县委", Kind.COUNTY, Sector.ORGAN, None, "X01")])[0]
        self.county = county
        townships = self._insert(
            [
                self._org(f"{name}党委", Kind.TOWNSHIP, Sector.RURAL, county, f"X01T{i + 1:02d}")
                for i, name in enumerate(data.TOWNSHIPS[: s.townships])
            ]
        )
        self.townships = townships
        level2: list[Organization] = []
        # (the parent, the unit its sub-branches are named after, the sub-branches' names)
        parents_of_subs: list[tuple[Organization, str, list[str]]] = []
        big_villages = set(rng.sample(range(s.townships), min(s.village_general_branches, s.townships)))
        used_names: set[tuple[str, str]] = set()
        for t_index, township in enumerate(townships):
            tname = township.name.removesuffix("党委")
            n_villages = rng.randint(*s.villages)
            for v in range(n_villages):
                village = self._village_name(used_names, tname)
                code = f"{township.code}V{v + 1:03d}"
                if v == 0 and t_index in big_villages:
                    org = self._org(
                        f"{tname}{village}党总支", Kind.GENERAL_BRANCH, Sector.RURAL, township, code
                    )
                    parents_of_subs.append((org, f"{tname}{village}", ["第一", "第二", "第三"]))
                else:
                    org = self._org(f"{tname}{village}党支部", Kind.BRANCH, Sector.RURAL, township, code)
                self.villages[org.code] = village
                level2.append(org)
            level2.append(
                self._org(f"{tname}机关党支部", Kind.BRANCH, Sector.ORGAN, township, f"{township.code}J01")
            )
            if t_index % 2 == 0:
                level2.append(
                    self._org(
                        f"{tname}中心学校党支部",
                        Kind.BRANCH,
                        Sector.INSTITUTION,
                        township,
                        f"{township.code}S01",
                    )
                )
        for c, name in enumerate(data.COMMUNITIES[: s.communities]):
            level2.append(
                self._org(
                    f"{name}党支部",
                    Kind.BRANCH,
                    Sector.COMMUNITY,
                    townships[0],
                    f"{townships[0].code}C{c + 1:02d}",
                )
            )
        for i, name in enumerate(data.COUNTY_ORGANS[: s.organs]):
            level2.append(self._org(f"{name}党支部", Kind.BRANCH, Sector.ORGAN, county, f"X01J{i + 1:03d}"))
        for group, sector, letter in (
            (data.COUNTY_INSTITUTIONS[: s.institutions], Sector.INSTITUTION, "S"),
            (data.COUNTY_ENTERPRISES[: s.enterprises], Sector.ENTERPRISE, "E"),
        ):
            for i, (name, kind) in enumerate(group):
                suffix = {"party_committee": "党委", "general_branch": "党总支", "branch": "党支部"}[kind]
                org = self._org(f"{name}{suffix}", kind, sector, county, f"X01{letter}{i + 1:03d}")
                level2.append(org)
                if kind != "branch":  # sub-branches are named after the unit, not its committee's suffix
                    parents_of_subs.append((org, name, data.SUB_BRANCHES.get(name, ["第一", "第二"])))
        level2 = self._insert(level2)
        level3 = []
        for parent, unit, subs in parents_of_subs:
            for j, sub in enumerate(subs):
                org = self._org(
                    f"{unit}{sub}党支部",
                    Kind.BRANCH,
                    parent.sector,
                    parent,
                    f"{parent.code}-{j + 1:02d}",
                )
                self.villages[org.code] = self.villages.get(parent.code, "")
                level3.append(org)
        level3 = self._insert(level3)
        organizations_rebuild_paths()
        with_subs = {p.pk for p, _unit, _subs in parents_of_subs}
        self.leaves = [o for o in level2 if o.pk not in with_subs] + level3
        self.basic = level2 + level3
        self.result.organizations = 1 + len(townships) + len(level2) + len(level3)
        self._lap(f"organizations ({self.result.organizations})")
        self._members()
        self._committees()
        self._transfers()
        self._accounts()

    def _village_name(self, used: set[tuple[str, str]], tname: str) -> str:
        for _ in range(100):
            name = (
                self.rng.choice(data.VILLAGE_PREFIX)
                + self.rng.choice(data.VILLAGE_PREFIX)
                + self.rng.choice(data.VILLAGE_SUFFIX)
            )
            if (tname, name) not in used and name[0] != name[1] and name[2] not in name[:2]:
                used.add((tname, name))
                return name
        raise RuntimeError("ran out of village names")

    # -- members ---------------------------------------------------------------------------------
    def _name(self, male: bool) -> str:
        rng = self.rng
        surname = data.SURNAMES[min(int(rng.expovariate(1 / 18)), len(data.SURNAMES) - 1)]
        pool = data.GIVEN_MALE if male else data.GIVEN_FEMALE
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        return surname + given

    def _id_number(self, birth: dt.date, male: bool) -> str:
        region = COUNTY_REGION if self.rng.random() < 0.85 else self.rng.choice(OTHER_REGIONS)
        seq = self.rng.randint(0, 99)
        for i in range(100):
            number = make_id_number(region, birth, seq + i, male=male)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number
        raise RuntimeError("no free ID number")  # 100 people of one sex born on one day in one region

    def _birth(self, age: int) -> dt.date:
        return self.as_of - dt.timedelta(days=age * 365 + self.rng.randint(0, 364) + age // 4)

    def _ages(self, org: Organization, name: str) -> tuple[int, int]:
        if "离退休" in name:
            return 60, 92
        if org.sector == Sector.RURAL:
            return 22, 95
        if org.sector == Sector.COMMUNITY:
            return 25, 88
        return 23, 59

    def _members(self) -> None:
        rng, s, as_of = self.rng, self.s, self.as_of
        members: list[Member] = []
        groups: list[PartyGroup] = []
        group_of: list[tuple[int, int]] = []  # (member index, group index)
        for org in self.leaves:
            if org.sector == Sector.RURAL:
                n = rng.randint(*s.village_members)
            elif "离退休" in org.name:
                n = rng.randint(15, 40)
            elif org.sector == Sector.COMMUNITY:
                n = rng.randint(12, 40)
            else:
                n = rng.randint(5, 30)
            lo, hi = self._ages(org, org.name)
            first = len(members)
            for _ in range(n):
                members.append(self._member(org, lo, hi))
            if org.sector == Sector.RURAL and n >= 20:
                village = self.villages.get(org.code, "")
                names = rng.sample(data.NATURAL_VILLAGE, min(len(data.NATURAL_VILLAGE), max(2, n // 10)))
                base = len(groups)
                for g, gname in enumerate(names):
                    host = members[first + g]
                    groups.append(
                        PartyGroup(
                            organization=org,
                            name=f"{gname}党小组",
                            central_household=f"{village}{gname}{host.name}家",
                        )
                    )
                for k in range(first, len(members)):
                    group_of.append((k, base + (k - first) % len(names)))
        # A few probationary members who are due soon or overdue, so the reminder job has work on day one.
        rural = [m for m in members if m.organization.sector == Sector.RURAL and m.died_on is None]
        for m in rng.sample(rural, min(len(rural), 6 if self.scale_name == "demo" else 40)):
            days_ago = rng.choice([340, 350, 355, 360, 368, 380])  # due in 25..5 days, or 3..15 days overdue
            m.admitted_on = as_of - dt.timedelta(days=days_ago)
            m.full_member_on = None
            if m.birth_date > add_years(m.admitted_on, -18):
                m.birth_date = add_years(m.admitted_on, -rng.randint(20, 40))
                m.id_number = self._id_number(m.birth_date, m.gender == Member.Gender.MALE)
        groups = PartyGroup.objects.bulk_create(groups, batch_size=1000)
        for k, g in group_of:
            members[k].party_group = groups[g]
        self._lap(f"generate members ({len(members)})")
        self.members = Member.objects.bulk_create(members, batch_size=1000)
        self.result.members = len(self.members)
        self._lap("insert members")
        # The first line of each member's change history (who/when/what) says where the record came from.
        Member.history.bulk_history_create(self.members, batch_size=1000, default_change_reason="demo data")
        self._lap("member history")

    def _member(self, org: Organization, lo: int, hi: int) -> Member:
        rng, as_of = self.rng, self.as_of
        male = rng.random() < (0.72 if org.sector == Sector.RURAL else 0.6)
        pre_1949 = org.sector == Sector.RURAL and rng.random() < 0.003
        if pre_1949:
            birth = dt.date(rng.randint(1926, 1930), rng.randint(1, 12), rng.randint(1, 28))
            admitted = dt.date(1949, 9, 30) - dt.timedelta(days=rng.randint(10, 1400))
            admitted = max(admitted, add_years(birth, 18))
        else:
            if org.sector == Sector.RURAL:
                age = int(min(hi, max(lo, rng.gauss(60, 15))))
            else:
                age = rng.randint(lo, hi)
            birth = self._birth(age)
            start = add_years(birth, 18)
            end = min(add_years(birth, 45), as_of - dt.timedelta(days=1))
            admitted = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
        becomes_full = add_years(admitted, 1) + dt.timedelta(days=rng.randint(0, 30))
        full = becomes_full if becomes_full <= as_of else None  # None: still probationary (预备党员)
        age_now = as_of.year - birth.year
        died = None
        if age_now >= 75 and rng.random() < 0.01:
            died = as_of - dt.timedelta(days=rng.randint(1, 700))
        ill = age_now >= 65 and rng.random() < 0.08
        hardship = org.sector in (Sector.RURAL, Sector.COMMUNITY) and rng.random() < 0.05
        retired = "离退休" in org.name or (org.sector in (Sector.ORGAN, Sector.INSTITUTION) and age_now >= 60)
        village = self.villages.get(org.code, "")
        return Member(
            name=self._name(male),
            gender=Member.Gender.MALE if male else Member.Gender.FEMALE,
            ethnicity=rng.choices([e for e, _w in data.ETHNICITIES], [w for _e, w in data.ETHNICITIES])[0],
            birth_date=birth,
            id_number=self._id_number(birth, male),
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
            address=(
                f"{village}{rng.randint(1, 200)}号"
                if village
                else f"城关镇{rng.choice(data.STREETS)}{rng.randint(1, 300)}号"
            ),
            organization=org,
            admitted_on=admitted,
            full_member_on=full,
            veteran_cadre=retired and age_now >= 60 and rng.random() < 0.5,
            hardship=hardship,
            hardship_note=rng.choice(["因病致贫", "年老体弱、无固定收入", "家庭变故", "子女上学负担重"])
            if hardship
            else "",
            illness=rng.choice(["高血压", "糖尿病", "脑梗后遗症", "慢性支气管炎", "冠心病"]) if ill else "",
            ill_since=(as_of - dt.timedelta(days=rng.randint(30, 3000))) if ill else None,
            is_mobile=org.sector == Sector.RURAL and age_now < 50 and rng.random() < 0.1,
            died_on=died,
            education_level=self._education(org, age_now),
            occupation=self._occupation(org, age_now, retired),
        )

    def _education(self, org: Organization, age: int) -> str:
        """学历: older and rural members went to school for fewer years; a few records leave it blank."""
        rng, Edu = self.profile_rng, Member.Education
        if rng.random() < 0.03:
            return ""
        levels = [Edu.JUNIOR_OR_BELOW, Edu.SECONDARY, Edu.COLLEGE, Edu.UNDERGRADUATE, Edu.POSTGRADUATE]
        weights: list[float]
        if org.sector in (Sector.ORGAN, Sector.INSTITUTION):
            weights = [2, 10, 28, 48, 12] if age < 50 else [8, 27, 35, 27, 3]
        elif org.sector == Sector.RURAL:
            weights = [35, 40, 17, 8, 0] if age < 50 else [72, 23, 4, 1, 0]
        else:
            weights = [10, 35, 30, 23, 2] if age < 50 else [40, 38, 14, 8, 0]
        if age >= 70:
            weights = [w * f for w, f in zip(weights, [3, 1, 0.5, 0.3, 0.2], strict=True)]
        return rng.choices(levels, weights)[0]

    def _occupation(self, org: Organization, age: int, retired: bool) -> str:
        """职业 in the bulletin's groups, by the organization's sector (离退休 for the retired)."""
        rng, Occ = self.profile_rng, Member.Occupation
        if rng.random() < 0.02:
            return ""
        if retired:
            return Occ.RETIRED
        if age < 24 and rng.random() < 0.4:
            return Occ.STUDENT
        groups: dict[str, tuple[list[Member.Occupation], list[int]]] = {
            Sector.RURAL: ([Occ.FARMER, Occ.WORKER, Occ.MANAGER, Occ.OTHER], [78, 8, 4, 10]),
            Sector.ORGAN: ([Occ.CIVIL_SERVANT, Occ.MANAGER, Occ.PROFESSIONAL], [85, 10, 5]),
            Sector.INSTITUTION: ([Occ.PROFESSIONAL, Occ.MANAGER, Occ.OTHER], [72, 20, 8]),
            Sector.COMMUNITY: ([Occ.WORKER, Occ.OTHER, Occ.MANAGER, Occ.PROFESSIONAL], [30, 40, 12, 18]),
            Sector.ENTERPRISE: ([Occ.WORKER, Occ.MANAGER, Occ.PROFESSIONAL], [55, 20, 25]),
        }
        choices, weights = groups.get(org.sector, ([Occ.OTHER, Occ.WORKER], [70, 30]))
        if age >= 65 and org.sector in (Sector.COMMUNITY, Sector.OTHER):
            return Occ.RETIRED
        return rng.choices(choices, weights)[0]

    # -- committees, transfers -------------------------------------------------------------------
    def _committees(self) -> None:
        rng, as_of = self.rng, self.as_of
        by_org: dict[int, list[Member]] = {}
        for m in self.members:
            if m.full_member_on and m.died_on is None and as_of.year - m.birth_date.year < 75:
                by_org.setdefault(m.organization_id, []).append(m)
        parent_pool: dict[int, list[Member]] = {}
        for org in self.leaves:
            parent = org.parent
            if parent is not None and parent.kind in (Kind.GENERAL_BRANCH, Kind.PARTY_COMMITTEE):
                parent_pool.setdefault(parent.pk, []).extend(by_org.get(org.pk, []))
        terms, plans = [], []
        for org in self.basic:
            pool = by_org.get(org.pk) or parent_pool.get(org.pk) or []
            if len(pool) < 3:
                continue
            years = CommitteeTerm.term_years(org)
            elected = as_of - dt.timedelta(days=rng.randint(0, years * 365 - 1))
            terms.append(
                CommitteeTerm(organization=org, elected_on=elected, ends_on=add_years(elected, years))
            )
            size = rng.randint(3, 5) if len(pool) >= 7 else (2 if len(pool) >= 5 else 1)
            plans.append(rng.sample(pool, size))
        terms = CommitteeTerm.objects.bulk_create(terms, batch_size=1000)
        officers = []
        self.secretary_of: dict[int, Member] = {}
        for term, people in zip(terms, plans, strict=True):
            self.secretary_of[term.organization_id] = people[0]
            officers.append(
                BranchOfficer(term=term, member=people[0], position=BranchOfficer.Position.SECRETARY)
            )
            if len(people) >= 4:
                officers.append(
                    BranchOfficer(term=term, member=people[1], position=BranchOfficer.Position.DEPUTY)
                )
                rest = people[2:]
            else:
                rest = people[1:]
            for duty, person in zip(data.DUTIES, rest, strict=False):
                officers.append(
                    BranchOfficer(
                        term=term, member=person, position=BranchOfficer.Position.COMMITTEE_MEMBER, duty=duty
                    )
                )
        BranchOfficer.objects.bulk_create(officers, batch_size=1000)
        self._lap(f"committee terms ({len(terms)}) and officers ({len(officers)})")

    def _transfers(self) -> None:
        rng = self.rng
        transfers = []
        for m in rng.sample(self.members, len(self.members) // 50):
            src = rng.choice(self.leaves)
            if src.pk == m.organization_id or m.full_member_on is None:
                continue
            on = m.full_member_on + dt.timedelta(
                days=rng.randint(0, max(0, (self.as_of - m.full_member_on).days))
            )
            transfers.append(
                Transfer(
                    member=m,
                    from_organization=src,
                    to_organization=m.organization,
                    transferred_on=on,
                    reason=rng.choice(["工作调动", "婚嫁迁居", "退休返乡", "外出务工返乡"]),
                )
            )
        Transfer.objects.bulk_create(transfers, batch_size=1000)
        self._lap(f"transfers ({len(transfers)})")

    # -- accounts ----------------------------------------------------------------------------------
    def _accounts(self) -> None:
        rng = self.rng
        password = make_password(PASSWORD)  # hashed once, shared by every demo account
        frequencies = ["immediate"] * 12 + ["daily"] * 5 + ["weekly"] * 2 + ["none"]
        users: list[User] = []
        roles: list[tuple[int, Organization, str]] = []
        links: list[tuple[int, Member]] = []
        accounts = self.result.accounts

        def add(email, name, org, role, *, member=None, staff=False, frequency=None, printed=None):
            users.append(
                User(
                    email=email,
                    name=name,
                    password=password,
                    is_staff=staff,
                    notification_frequency=frequency or rng.choice(frequencies),
                )
            )
            index = len(users) - 1
            if org is not None:
                roles.append((index, org, role))
            if member is not None:
                links.append((index, member))
            if printed:
                accounts.append(DemoAccount(printed, email, org.name if org else ""))
            return index

        first_township = self.townships[0]
        village_branches = [
            o
            for o in self.leaves
            if o.sector == Sector.RURAL and o.parent_id == first_township.pk and o.pk in self.secretary_of
        ]
        demo_branch = max(
            village_branches, key=lambda o: sum(1 for m in self.members if m.organization_id == o.pk)
        )
        add(
            "county@demo.local",
            "县委组织部（演示）",
            self.county,
            Role.COUNTY_ADMIN,
            staff=True,
            frequency="daily",
            printed=str(Role.COUNTY_ADMIN.label),
        )
        add(
            "township@demo.local",
            "乡镇党委书记（演示）",
            first_township,
            Role.TOWNSHIP_SECRETARY,
            frequency="immediate",
            printed=str(Role.TOWNSHIP_SECRETARY.label),
        )
        add(
            "branch@demo.local",
            self.secretary_of[demo_branch.pk].name,
            demo_branch,
            Role.BRANCH_SECRETARY,
            member=self.secretary_of[demo_branch.pk],
            frequency="immediate",
            printed=str(Role.BRANCH_SECRETARY.label),
        )
        used = {self.secretary_of[demo_branch.pk].pk}
        plain = next(
            m
            for m in self.members
            if m.organization_id == demo_branch.pk and m.pk not in used and m.died_on is None
        )
        add(
            "member@demo.local",
            plain.name,
            demo_branch,
            Role.MEMBER,
            member=plain,
            frequency="weekly",
            printed=str(Role.MEMBER.label),
        )
        used.add(plain.pk)
        officer_index = add("officer@demo.local", "党建联络员（演示）", None, Role.OFFICER, frequency="daily")
        # Every other township and branch gets its secretary's account too, so reminders reach someone.
        for township in self.townships:
            if township.pk != first_township.pk:
                add(
                    f"{township.code.lower()}@demo.local",
                    f"{township.name}书记",
                    township,
                    Role.TOWNSHIP_SECRETARY,
                )
        for org in self.basic:
            secretary = self.secretary_of.get(org.pk)
            if org.pk == demo_branch.pk or secretary is None or secretary.pk in used:
                continue
            used.add(secretary.pk)
            add(
                f"{org.code.lower()}@demo.local", secretary.name, org, Role.BRANCH_SECRETARY, member=secretary
            )
        users = User.objects.bulk_create(users, batch_size=1000)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=users[i], organization=org, role=role) for i, org, role in roles],
            batch_size=1000,
        )
        # the bulk insert passed by role_assign: the county account gets 县委组织部 and the township secretaries
        # their read-only group (and is_staff) here, as role_assign would have given them
        admin_access_sync(user_ids=[u.pk for u in users])
        for i, member in links:
            member.user = users[i]
        Member.objects.bulk_update([m for _i, m in links], ["user"], batch_size=1000)
        # The officer: a liaison officer (联络员) for two village branches of the second township.
        targets = [
            o for o in self.leaves if o.sector == Sector.RURAL and o.parent_id == self.townships[1].pk
        ][:2]
        OfficerAssignment.objects.bulk_create(
            [
                OfficerAssignment(
                    officer=users[officer_index],
                    organization=o,
                    kind=OfficerAssignment.Kind.LIAISON,
                    starts_on=self.as_of.replace(month=1, day=1),
                )
                for o in targets
            ]
        )
        accounts.insert(
            4, DemoAccount(str(Role.OFFICER.label), "officer@demo.local", "、".join(o.name for o in targets))
        )
        self._lap(f"accounts ({len(users)})")

    # -- the other apps ---------------------------------------------------------------------------
    def seed_apps(self, seed: int) -> None:
        for name, module in _app_demo_modules():
            # One generator per app, derived from the seed: an app's data does not change when another's does.
            module.seed(rng=random.Random(f"{seed}:{name}"), as_of=self.as_of, scale=self.scale_name)
            self._lap(f"{name}.demo")


def _app_demo_modules():
    """(app name, module) for every installed app with a `demo.py` (this app excepted), in app order."""
    for name, module in app_modules("demo"):
        if name != "demo":
            yield name, module
