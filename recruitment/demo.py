"""Recruitment demo data, called by `seed_demo` after organizations, roster and accounts exist: in about one
basic organization in four, a few people at every stage (applicants, activists, development targets,
probationary and full members), each step recorded through the services so every rule holds. Some talks and
checks are left owed, so the reminders and the "late" flags have something to show."""

from __future__ import annotations

import datetime as dt
import random

from branches.models import Organization
from members.ages import add_years
from members.idnumbers import make_id_number
from members.models import Member
from users.services import system_user

from . import services
from .models import Candidate, Step
from .selectors import full_members_for

Kind = Step.Kind
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何林高罗"
GIVEN = ["晓明", "丽娟", "建国", "海燕", "志强", "秀英", "文博", "雨婷", "国栋", "春梅", "子豪", "思远"]
STAGES = ["applicant", "activist", "target", "probationary", "full"]


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    by = system_user()
    orgs = [
        o
        for o in Organization.objects.filter(kind__in=Organization.BASIC_KINDS, is_active=True).order_by(
            "path"
        )
        if rng.random() < 0.25
    ][: 12 if scale == "demo" else 40]
    taken = set(Member.objects.values_list("id_number", flat=True)) | set(
        Candidate.objects.values_list("id_number", flat=True)
    )
    sequence = 0
    for org in orgs:
        # Contacts and introducers who were full members on every date the walk goes back to.
        people = [
            m for m in full_members_for(organization=org)[:40] if m.full_member_on <= add_years(as_of, -4)
        ][:10]
        if len(people) < 2:
            continue
        for stage in rng.sample(STAGES, k=3):
            sequence += 1
            born = dt.date(rng.randint(1985, 2004), rng.randint(1, 12), rng.randint(1, 28))
            male = rng.random() < 0.6
            number = make_id_number("149900", born, sequence % 100, male=male)
            if number in taken:
                continue
            taken.add(number)
            _walk(
                rng,
                org,
                people,
                stage,
                as_of,
                by,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                born=born,
                number=number,
            )


def _walk(rng, org, people, stage, as_of, by, *, name, born, number) -> None:
    """Dates going back from `as_of` so that the person stands at `stage` today, every step in order."""
    days = dt.timedelta
    if stage == "applicant":
        applied = as_of - days(rng.randint(3, 50))
        # Two in five applicants still wait for their talk (the reminder and the "overdue" flag).
        plan = [(Kind.TALK, applied + days(rng.randint(7, 25)))] if rng.random() < 0.6 else []
    else:
        if stage == "activist":
            activist = as_of - days(rng.randint(30, 330))
        elif stage == "target":
            activist = as_of - days(rng.randint(400, 520))
        elif stage == "probationary":
            activist = as_of - days(rng.randint(560, 700))
        else:
            activist = as_of - days(rng.randint(1000, 1100))
        talked = activist - days(rng.randint(30, 90))
        applied = talked - days(rng.randint(5, 28))
        plan = [(Kind.TALK, talked), (Kind.ACTIVIST, activist)]
        if stage != "activist" or rng.random() < 0.5:  # half the activists owe their periodic check
            plan.append((Kind.CHECK, activist + days(180)))
        if stage != "activist":
            target = add_years(activist, 1) + days(rng.randint(0, 20))
            plan += [
                (Kind.CHECK, activist + days(360)),
                (Kind.TARGET, target),
                (Kind.INTRODUCERS, target + days(5)),
                (Kind.POLITICAL_REVIEW, target + days(20)),
                (Kind.TRAINING, target + days(30)),
                (Kind.NOTICE, target + days(42)),  # ten days: at least six working days
                (Kind.PRE_REVIEW, target + days(60)),
                (Kind.ADMISSION, target + days(75)),
                (Kind.APPROVAL, target + days(75 + rng.randint(20, 60))),
                (Kind.OATH, target + days(140)),
            ]
    if born > add_years(applied, -18):
        born = add_years(applied, -20)
        number = make_id_number("149901", born, int(number[14:16]), male=int(number[16]) % 2 == 1)
    candidate = services.candidate_apply(
        organization=org, name=name, id_number=number, applied_on=applied, by=by, ethnicity="汉族"
    )
    for kind, on in plan:
        if on > as_of:
            break
        extra: dict = {}
        if kind in (Kind.ACTIVIST, Kind.INTRODUCERS):
            extra["people"] = rng.sample(people, 2)
        if kind == Kind.TRAINING:
            extra["hours"] = rng.choice([24, 32, 40])
        if kind == Kind.NOTICE:
            extra["ends_on"] = on + days(9)
            if extra["ends_on"] > as_of:
                break
        services.step_record(
            candidate=candidate,
            kind=kind,
            on=on,
            decided_by={Kind.ADMISSION: "支部党员大会", Kind.APPROVAL: "乡镇党委"}.get(kind, "支部委员会"),
            document="",
            by=by,
            **extra,
        )
    if stage == "full" and candidate.member is not None:
        due = candidate.member.probation_due_on
        if due <= as_of:
            services.candidate_confirm(
                candidate=candidate, on=due, meeting=f"{due:%Y年%m月}支部党员大会", by=by
            )


def reset() -> None:
    """Before `seed_demo --reset`: candidates protect their organizations and roster members."""
    Step.objects.all().delete()
    Candidate.objects.all().delete()
