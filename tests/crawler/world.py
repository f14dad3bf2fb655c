"""A small county for the access crawler: two townships, each with a branch that holds one object of every
kind a URL takes an id of. Texts of township B (and of township A's objects other than the signed-in
member's own record) carry a marker, so that a page showing a foreign object is caught by its text.

county ─ township A ─ branch A1 (alice: branch secretary; member_a1 is the `member` role's own record;
       │                          an officer assigned to A1)
       │            (bob: township A secretary)
       └ township B ─ branch B1 (charlie: branch secretary; an officer assigned to B1)
                    (dan: township B secretary)
dora: county office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accountability import services as accountability_services
from branches.models import OfficerAssignment, Organization, RoleAssignment
from care import services as care_services
from care.models import BenefitRule, Grant, Visit
from dues import services as dues_services
from education import services as education_services
from education.models import MeetingKind
from members import services as member_services
from members.idnumbers import make_id_number
from notifications.models import Delivery
from officers import services as officer_services
from recruitment import services as recruitment_services
from spreadsheets.models import ImportUpload
from standing import services as standing_services
from standing.models import Grade, Suggestion
from tests.factories import (
    MemberFactory,
    UserFactory,
    make_branch,
    make_county,
    make_party_group,
    make_role,
    make_township,
)
from users.services import system_user

Role = RoleAssignment.Role
MARK_A = "甲侧标记"  # on township A's objects other than the member's own record
MARK_B = "乙侧标记"  # on everything of township B, its organizations' names included
PDF = b"%PDF-1.4 crawler"


@dataclass
class Side:
    township: Organization
    branch: Organization
    objects: dict[str, object] = field(default_factory=dict)


@dataclass
class World:
    county: Organization
    sides: dict[str, Side]
    users: dict[str, object]  # role name → user (None for anonymous)
    writers: dict[tuple[str, str], object]  # (side, level) → the secretary who writes there
    owners: dict[tuple[str, str], object]  # (key, side) → the only user who sees an own-only object
    globals: dict[str, object]


def _side(
    name: str, county: Organization, mark: str, *, secretary, township_secretary, today: dt.date
) -> Side:
    township = make_township(county, code=f"T-{name}", name=f"{name}镇{mark if name == 'B' else ''}")
    branch = make_branch(township, code=f"B-{name}1", name=f"{name}一村党支部{mark if name == 'B' else ''}")
    make_role(secretary, branch, Role.BRANCH_SECRETARY)
    make_role(township_secretary, township, Role.TOWNSHIP_SECRETARY)
    return Side(township=township, branch=branch)


def build_world() -> World:
    today = timezone.localdate()
    system = system_user()
    county = make_county(code="C001")
    dora = UserFactory(email="dora@example.com", name="Dora")
    make_role(dora, county, Role.COUNTY_ADMIN)
    alice = UserFactory(email="alice@example.com", name="Alice")
    bob = UserFactory(email="bob@example.com", name="Bob")
    charlie = UserFactory(email="charlie@example.com", name=f"Charlie{MARK_B}")
    dan = UserFactory(email="dan@example.com", name=f"Dan{MARK_B}")
    sides = {
        "A": _side("A", county, MARK_A, secretary=alice, township_secretary=bob, today=today),
        "B": _side("B", county, MARK_B, secretary=charlie, township_secretary=dan, today=today),
    }
    officer_a = UserFactory(email="officer.a@example.com", name="Olga")
    officer_b = UserFactory(email="officer.b@example.com", name=f"Oscar{MARK_B}")
    member_user = UserFactory(email="member.a1@example.com", name="张三")
    writers = {
        ("A", "branch"): alice,
        ("A", "township"): bob,
        ("B", "branch"): charlie,
        ("B", "township"): dan,
    }
    owners: dict[tuple[str, str], object] = {}
    kind = MeetingKind.objects.order_by("pk").first()
    rule = BenefitRule.objects.order_by("code").first()

    for name, officer in (("A", officer_a), ("B", officer_b)):
        side = sides[name]
        org, mark = side.branch, (MARK_A if name == "A" else MARK_B)
        secretary = writers[(name, "branch")]
        township_secretary = writers[(name, "township")]
        o = side.objects
        if name == "A":
            o["member"] = MemberFactory(organization=org, name="张三")
            member_services.member_link_user(member=o["member"], user=member_user, by=system)
            make_role(member_user, org, Role.MEMBER)
        else:
            o["member"] = MemberFactory(organization=org, name=f"成员{mark}")
        o["helper"] = MemberFactory(organization=org, name=f"帮手{mark}", birth_date=dt.date(1961, 3, 4))
        o["party_group"] = make_party_group(org, name=f"党小组{mark}")
        o["committee_term"] = member_services.committee_term_save(
            organization=org,
            elected_on=today - dt.timedelta(days=400),
            officers=[(o["helper"], "secretary", "")],
        )
        o["meeting"] = education_services.meeting_create(
            organization=org,
            kinds=[kind],
            date=today - dt.timedelta(days=3),
            topic=f"会议{mark}",
            by=secretary,
        )
        o["meeting_attachment"] = education_services.attachment_add(
            meeting=o["meeting"], file=SimpleUploadedFile(f"附件{mark}.pdf", PDF), by=secretary
        )
        o["plan"] = education_services.plan_save(
            organization=org, kinds=[kind], frequency="monthly", day=15, by=secretary
        )
        o["feed"] = education_services.calendar_feed_renew(organization=org, by=secretary)
        o["grant"] = Grant.objects.create(
            rule=rule,
            member=o["member"],
            organization=org,
            township=side.township,
            period_key=str(today.year),
            year=today.year,
            granted_on=today,
            amount=Decimal("100"),
            created_by=secretary,
        )
        o["visit"] = care_services.visit_create(
            member=o["helper"], kind=Visit.Kind.ILLNESS, planned_on=today, notes=f"走访{mark}", by=secretary
        )
        dead = MemberFactory(organization=org, name=f"逝者{mark}", birth_date=dt.date(1940, 2, 2))
        o["condolence"] = care_services.member_record_death(
            member=dead, died_on=today - dt.timedelta(days=2), by=secretary
        )
        o["contract"] = accountability_services.contract_create(
            parent=side.township, organization=org, year=today.year, by=township_secretary
        )
        o["duty_report"] = accountability_services.duty_report_save(
            organization=org, year=today.year, by=secretary, title=f"述职{mark}", text=f"述职正文{mark}"
        )
        o["duty_attachment"] = accountability_services.duty_report_attach(
            report=o["duty_report"], by=secretary, upload=SimpleUploadedFile(f"述职{mark}.pdf", PDF)
        )
        o["officer"] = officer
        o["officer_assignment"] = officer_services.officer_assign(
            officer=officer,
            organization=org,
            kind=OfficerAssignment.Kind.LIAISON,
            starts_on=today - dt.timedelta(days=30),
            by=township_secretary,
        )
        o["visit_log"] = officer_services.visit_log_create(
            officer=officer,
            organization=org,
            visited_on=today - dt.timedelta(days=1),
            purpose=f"调研{mark}",
            findings=f"发现{mark}",
            follow_ups=[{"description": f"整改{mark}", "due_on": today + dt.timedelta(days=10)}],
            today=today,
        )
        o["follow_up"] = o["visit_log"].follow_ups.get()
        dues_services.dues_record_set(
            member=o["member"],
            category="employed",
            base=Decimal("4000"),
            starts_month=today.replace(day=1) - dt.timedelta(days=62),
            by=secretary,
        )
        o["dues_relief"] = dues_services.relief_decide(
            member=o["member"],
            kind="reduction",
            amount=Decimal("5"),
            first_month=today,
            last_month=None,
            reason=f"困难{mark if name == 'B' else ''}",
            decided_on=today,
            by=secretary,
        )
        o["candidate"] = recruitment_services.candidate_apply(
            organization=org,
            name=f"申请人{mark}",
            id_number=make_id_number("140101", dt.date(2000, 1, 2), 7 if name == "A" else 8, male=True),
            applied_on=today - dt.timedelta(days=10),
            by=secretary,
        )
        delivery_owner = alice if name == "A" else charlie
        o["delivery"] = Delivery.objects.create(
            key=f"crawler:{name}",
            kind="crawler",
            user=delivery_owner,
            subject=f"通知{mark}",
            body_text=f"正文{mark}",
            url="/home/",
            status=Delivery.Status.SENT,
        )
        owners[("delivery", name)] = delivery_owner
        upload_owner = dora if name == "A" else charlie
        o["upload"] = ImportUpload.objects.create(
            user=upload_owner,
            kind="members",
            file=SimpleUploadedFile(f"roster-{name}.csv", "姓名\n".encode()),
            original_name=f"roster{mark}.csv",
        )
        owners[("upload", name)] = upload_owner
        # Members' standing: side A's notice, suggestion and review are the member's own (no marker: the member
        # reads them); the helper's entry is graded 不合格 so that its follow-up form is there to replay.
        own_mark = mark if name == "B" else ""
        o["notice"] = standing_services.notice_publish(
            organization=org, title=f"通知{own_mark}", body=f"正文{own_mark}", by=secretary
        )
        if name == "A":
            o["suggestion"] = standing_services.suggestion_submit(
                member=o["member"], kind="suggestion", subject="建议", text="多开学习会", by=member_user
            )
        else:
            o["suggestion"] = Suggestion.objects.create(
                member=o["member"],
                organization=org,
                first_organization=org,
                subject=f"建议{mark}",
                text=f"内容{mark}",
                submitted_on=today,
                due_on=today + dt.timedelta(days=15),
            )
        o["review"] = standing_services.review_open(
            organization=org, year=today.year, held_on=today, by=secretary
        )
        o["review_entry"] = o["review"].entries.get(member=o["helper"])
        standing_services.review_grade(
            review=o["review"], grades={o["review_entry"].pk: Grade.UNQUALIFIED}, by=secretary
        )

    indicator_group = accountability_services.indicator_group_create(
        year=today.year, name="组织建设", position=1
    )
    indicator = accountability_services.indicator_save(
        group=indicator_group, name="三会一课", check_standard="每季度", weight=Decimal("100")
    )
    users = {
        "county": dora,
        "township_a": bob,
        "branch_a1": alice,
        "officer_a1": officer_a,
        "member_a1": member_user,
        "anonymous": None,
    }
    return World(
        county=county,
        sides=sides,
        users=users,
        writers=writers,
        owners=owners,
        globals={"indicator": indicator, "rule": rule, "year": today.year},
    )
