"""The procedure of the work rules as plain functions over a candidate's steps and the rules table: which
stage a person is in on a day, what they need next and by when, and whether a step may be recorded. No
queries: the services and selectors load the rows and call these."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.ages import add_years, years_between

from .models import Candidate, RecruitmentRule, Stage, Step

Kind = Step.Kind
Unit = RecruitmentRule.Unit

# Rule codes (the rows are seeded by migration 0002 and edited in the admin).
MIN_AGE = "min_age"
TALK_WITHIN = "talk_within"
CONTACTS = "cultivating_contacts"
CHECK_INTERVAL = "check_interval"
ACTIVIST_BEFORE_TARGET = "activist_before_target"
INTRODUCERS = "introducers"
TRAINING_HOURS = "training_hours"
NOTICE_DAYS = "notice_days"
APPROVAL_WITHIN = "approval_within"
REMIND_BEFORE = "reminder_days"

# What the development target needs before the public notice, in the order the page offers them.
TARGET_STEPS = (Kind.INTRODUCERS, Kind.POLITICAL_REVIEW, Kind.TRAINING)
# `next_step` after the oath: 转正 by a branch general meeting (members.services.member_confirm).
FULL = "full"

Rules = Mapping[str, RecruitmentRule]


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 → 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday to Friday from `start` to `end`, both included (public holidays are not known here)."""
    days = 0
    day = start
    while day <= end:
        days += day.weekday() < 5
        day += dt.timedelta(days=1)
    return days


def after(start: dt.date, rule: RecruitmentRule) -> dt.date:
    """The day an interval of `rule` after `start` is complete ("one calendar year": 2024-03-01 → 2025-03-01)."""
    if rule.unit == Unit.YEARS:
        return add_years(start, rule.value)
    if rule.unit == Unit.MONTHS:
        return add_months(start, rule.value)
    if rule.unit == Unit.DAYS:
        return start + dt.timedelta(days=rule.value)
    raise ValueError(f"{rule.code}: {rule.unit} is not an interval")


def before(due: dt.date, rule: RecruitmentRule) -> dt.date:
    """`due` less a number of days (the reminder's lead time)."""
    return due - dt.timedelta(days=rule.value)


@dataclass(frozen=True)
class Progress:
    """Where a person stands on `on`: the stage and since when, the next step and the date by which the
    rules owe it (None when nothing is owed by a date), and the earliest day a development target may be
    determined (for an activist)."""

    stage: str | None
    since: dt.date | None
    next_step: str
    due: dt.date | None
    earliest: dt.date | None = None
    on: dt.date | None = None

    @property
    def late(self) -> bool:
        return self.due is not None and self.on is not None and self.due < self.on

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage else ""

    @property
    def next_label(self) -> str:
        if self.next_step == FULL:
            return _("Full membership (转正)")
        return Kind(self.next_step).label if self.next_step else ""


def progress(*, candidate: Candidate, steps: Iterable[Step], rules: Rules, on: dt.date) -> Progress:
    """The stage on `on` counts only the steps taken by then (report_recruitment --as-of)."""
    done: dict[str, Step] = {}
    checks: list[dt.date] = []
    for step in steps:
        if step.on > on:
            continue
        if step.kind == Kind.CHECK:
            checks.append(step.on)
        else:
            done[step.kind] = step
    member = candidate.member if candidate.member_id else None
    if Kind.APPLICATION not in done:
        return Progress(None, None, "", None, on=on)
    if Kind.ADMISSION in done:
        admitted = done[Kind.ADMISSION].on
        if member is not None and member.full_member_on and member.full_member_on <= on:
            return Progress(Stage.FULL, member.full_member_on, "", None, on=on)
        if Kind.APPROVAL not in done:
            return Progress(
                Stage.PROBATIONARY, admitted, Kind.APPROVAL, after(admitted, rules[APPROVAL_WITHIN]), on=on
            )
        if Kind.OATH not in done:
            return Progress(Stage.PROBATIONARY, admitted, Kind.OATH, None, on=on)
        due = member.probation_due_on if member is not None else add_years(admitted, 1)
        return Progress(Stage.PROBATIONARY, admitted, FULL, due, on=on)
    if Kind.TARGET in done:
        for kind in (*TARGET_STEPS, Kind.NOTICE, Kind.PRE_REVIEW, Kind.ADMISSION):
            if kind not in done:
                return Progress(Stage.TARGET, done[Kind.TARGET].on, kind, None, on=on)
    if Kind.ACTIVIST in done:
        since = done[Kind.ACTIVIST].on
        last = max([since, *checks])
        return Progress(
            Stage.ACTIVIST,
            since,
            Kind.CHECK,
            after(last, rules[CHECK_INTERVAL]),
            earliest=after(since, rules[ACTIVIST_BEFORE_TARGET]),
            on=on,
        )
    applied = done[Kind.APPLICATION].on
    if Kind.TALK not in done:
        return Progress(Stage.APPLICANT, applied, Kind.TALK, after(applied, rules[TALK_WITHIN]), on=on)
    return Progress(Stage.APPLICANT, applied, Kind.ACTIVIST, None, on=on)


def check_age(*, birth_date: dt.date, applied_on: dt.date, rules: Rules) -> None:
    rule = rules[MIN_AGE]
    if years_between(birth_date, applied_on) < rule.value:
        raise ValidationError({"applied_on": _("Refused: %(rule)s") % {"rule": rule.text}})


# Which step must be recorded before each one.
REQUIRES: dict[str, tuple[str, ...]] = {
    Kind.TALK: (Kind.APPLICATION,),
    Kind.ACTIVIST: (Kind.TALK,),
    Kind.CHECK: (Kind.ACTIVIST,),
    Kind.TARGET: (Kind.ACTIVIST,),
    Kind.INTRODUCERS: (Kind.TARGET,),
    Kind.POLITICAL_REVIEW: (Kind.TARGET,),
    Kind.TRAINING: (Kind.TARGET,),
    Kind.NOTICE: TARGET_STEPS,
    Kind.PRE_REVIEW: (Kind.NOTICE,),
    Kind.ADMISSION: (Kind.PRE_REVIEW,),
    Kind.APPROVAL: (Kind.ADMISSION,),
    Kind.OATH: (Kind.APPROVAL,),
}


def check_step(
    *,
    kind: str,
    on: dt.date,
    steps: Iterable[Step],
    rules: Rules,
    today: dt.date,
    ends_on: dt.date | None = None,
    hours: int | None = None,
    people: Iterable = (),
) -> None:
    """Refuse a step out of order, before its minimum interval or without what it needs, with the rule's
    text. `people` are roster members (cultivating contacts or introducers): each a full member on `on`."""
    if kind not in REQUIRES:
        raise ValidationError(_("This step cannot be recorded here."))
    done: dict[str, Step] = {}
    checks: list[dt.date] = []
    for step in steps:
        if step.kind == Kind.CHECK:
            checks.append(step.on)
        else:
            done[step.kind] = step
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if kind in done:
        raise ValidationError(_("%(step)s is already recorded.") % {"step": Kind(kind).label})
    missing = [k for k in REQUIRES[kind] if k not in done]
    if missing:
        raise ValidationError(
            _("Out of order: first record %(steps)s.")
            % {"steps": ", ".join(str(Kind(k).label) for k in missing)}
        )
    previous = max(done[k].on for k in REQUIRES[kind])
    if kind == Kind.CHECK:
        previous = max([previous, *checks])
    if on < previous:
        raise ValidationError(
            {"on": _("Out of order: the date cannot be before %(date)s.") % {"date": previous.isoformat()}}
        )
    if kind == Kind.CHECK and Kind.ADMISSION in done:
        raise ValidationError(_("The periodic checks end with the admission."))
    if kind == Kind.TARGET:
        rule = rules[ACTIVIST_BEFORE_TARGET]
        earliest = after(done[Kind.ACTIVIST].on, rule)
        if on < earliest:
            raise ValidationError(
                {
                    "on": _("Too early: %(rule)s (not before %(date)s).")
                    % {"rule": rule.text, "date": earliest.isoformat()}
                }
            )
    if kind in (Kind.ACTIVIST, Kind.INTRODUCERS):
        rule = rules[CONTACTS if kind == Kind.ACTIVIST else INTRODUCERS]
        people = list(people)
        not_full = [
            p.name for p in people if not (p.full_member_on and p.full_member_on <= on and _on_roll(p, on))
        ]
        if not_full:
            raise ValidationError(
                {
                    "people": _("%(names)s: not a full member on %(date)s. %(rule)s")
                    % {"names": "、".join(not_full), "date": on.isoformat(), "rule": rule.text}
                }
            )
        if len({p.pk for p in people}) < rule.value:
            raise ValidationError({"people": _("Refused: %(rule)s") % {"rule": rule.text}})
    if kind == Kind.TRAINING:
        rule = rules[TRAINING_HOURS]
        if hours is None or hours < rule.value:
            raise ValidationError({"hours": _("Refused: %(rule)s") % {"rule": rule.text}})
    if kind == Kind.NOTICE:
        rule = rules[NOTICE_DAYS]
        if ends_on is None or ends_on < on:
            raise ValidationError(
                {"ends_on": _("Give the last day of the public notice, not before its first.")}
            )
        if ends_on > today:
            raise ValidationError({"ends_on": _("Record the public notice once it has ended.")})
        if working_days(on, ends_on) < rule.value:
            raise ValidationError({"ends_on": _("Refused: %(rule)s") % {"rule": rule.text}})
    if kind == Kind.PRE_REVIEW:
        notice_end = done[Kind.NOTICE].ends_on or done[Kind.NOTICE].on
        if on <= notice_end:
            raise ValidationError(
                {
                    "on": _("Too early: the pre-review follows the public notice, which ends on %(date)s.")
                    % {"date": notice_end.isoformat()}
                }
            )


def _on_roll(member, on: dt.date) -> bool:
    return not (member.died_on and member.died_on <= on) and not (
        member.departed_on and member.departed_on <= on
    )
