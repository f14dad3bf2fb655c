"""Demo data for members' standing: a notice from each township to its members (some read), members'
suggestions (answered, waiting, one escalated, one report about a branch's leaders), and last year's democratic
review in most branches (grades within the third, a follow-up for each 不合格). Bulk inserts, no e-mail."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from branches.models import Organization
from members.models import Member
from members.selectors import living_on, living_on_q, on_roll_q

from .models import Grade, MutualAssessment, Notice, NoticeRecipient, Review, ReviewEntry, Suggestion

NOTICES = [
    ("关于开展主题党日活动的通知", "本月主题党日定于15日上午九时在村委会召开，请全体党员准时参加。"),
    ("关于收缴本年度党费的通知", "请各位党员于本月底前按规定标准交纳党费，困难党员可向支部申请减免。"),
    ("党务公开：上半年发展党员情况", "上半年本镇共确定入党积极分子12名、发展对象5名，接收预备党员3名。"),
]
SUGGESTIONS = [
    (
        "suggestion",
        "建议增加远程教育学习点",
        "村里年纪大的党员行动不便，建议在二组中心户增设远程教育学习点。",
    ),
    ("question", "流动党员如何参加组织生活", "我在外地务工，想了解如何参加支部的组织生活和交纳党费。"),
    ("suggestion", "建议公开村级财务", "建议每季度在公开栏公布村级财务收支情况。"),
    ("question", "入党积极分子培训时间", "请问今年入党积极分子培训安排在什么时候？"),
]
ANSWER = "感谢您的意见，支部委员会已研究，将在下次党员大会上通报落实情况。"


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    townships = list(Organization.objects.filter(kind=Organization.Kind.TOWNSHIP).order_by("path"))
    branches = list(
        Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("path")
    )
    if not branches:
        return
    _notices(rng=rng, as_of=as_of, townships=townships)
    _suggestions(rng=rng, as_of=as_of, branches=branches[: 20 if scale == "demo" else 60])
    _reviews(rng=rng, as_of=as_of, branches=branches)


def _notices(*, rng, as_of, townships) -> None:
    now = timezone.now()
    for i, township in enumerate(townships):
        title, body = NOTICES[i % len(NOTICES)]
        published = as_of - dt.timedelta(days=rng.randint(1, 20))
        notice = Notice.objects.create(organization=township, title=title, body=body, published_on=published)
        members = living_on(on=published, org=township).values_list("pk", flat=True)
        NoticeRecipient.objects.bulk_create(
            NoticeRecipient(notice=notice, member_id=pk, read_at=now if rng.random() < 0.6 else None)
            for pk in members
        )


def _suggestions(*, rng, as_of, branches) -> None:
    days = 15
    rows = []
    senders = {
        m.organization_id: m
        for m in Member.objects.filter(on_roll_q(), organization__in=branches)
        .select_related("organization")
        .order_by("-pk")
    }
    for i, branch in enumerate(branches):
        member = senders.get(branch.pk)
        if member is None:
            continue
        kind, subject, text = SUGGESTIONS[i % len(SUGGESTIONS)]
        sent = as_of - dt.timedelta(days=rng.randint(2, 40))
        answered = rng.random() < 0.5
        escalated = not answered and sent + dt.timedelta(days=days) < as_of
        receiver = branch.parent if escalated else branch
        rows.append(
            Suggestion(
                member=member,
                kind=kind,
                organization=receiver,
                first_organization=branch,
                subject=subject,
                text=text,
                submitted_on=sent,
                due_on=(sent + dt.timedelta(days=2 * days)) if escalated else sent + dt.timedelta(days=days),
                escalated_on=sent + dt.timedelta(days=days + 1) if escalated else None,
                answer=ANSWER if answered else "",
                answered_on=sent + dt.timedelta(days=rng.randint(1, days)) if answered else None,
            )
        )
    if branches and (member := senders.get(branches[0].pk)) is not None and branches[0].parent_id:
        rows.append(
            Suggestion(
                member=member,
                kind=Suggestion.Kind.REPORT,
                about_leaders=True,
                organization=branches[0].parent,
                first_organization=branches[0].parent,
                subject="反映支部书记工作作风问题",
                text="支部书记多次不按时召开组织生活会，党员意见较大。",
                submitted_on=as_of - dt.timedelta(days=3),
                due_on=as_of + dt.timedelta(days=12),
            )
        )
    Suggestion.objects.bulk_create(rows)


def _reviews(*, rng, as_of, branches) -> None:
    year = as_of.year - 1
    held_on = dt.date(year, 12, 20)
    now = timezone.now()
    reviews = Review.objects.bulk_create(
        Review(organization=b, year=year, held_on=held_on, closed_on=held_on + dt.timedelta(days=7))
        for b in branches
        if rng.random() < 0.8
    )
    by_org = {r.organization_id: r for r in reviews}
    members = Member.objects.filter(living_on_q(held_on), organization_id__in=list(by_org))
    entries = []
    for m in members.only("pk", "organization_id", "full_member_on").order_by("organization_id", "pk"):
        probationary = m.full_member_on is None or m.full_member_on > held_on
        entries.append(
            ReviewEntry(
                review=by_org[m.organization_id],
                member_id=m.pk,
                probationary=probationary,
                self_assessment="本年度认真参加组织生活，按时交纳党费，完成支部交办的任务。",
                self_assessed_at=now,
            )
        )
    # Grades per review: at most a third excellent, a few basic, rarely unqualified.
    per_review: dict[int, list[ReviewEntry]] = {}
    for e in entries:
        per_review.setdefault(e.review.pk, []).append(e)
    for group in per_review.values():
        gradable = [e for e in group if not e.probationary]
        excellent = len(gradable) // 3
        for i, e in enumerate(gradable):
            roll = rng.random()
            if i < excellent and roll < 0.7:
                e.grade = Grade.EXCELLENT
            elif roll < 0.03:
                e.grade = Grade.UNQUALIFIED
                e.follow_up_measure = ReviewEntry.Measure.CORRECTION
                e.follow_up_due_on = as_of + dt.timedelta(days=rng.randint(-20, 60))
            elif roll < 0.1:
                e.grade = Grade.BASIC
            else:
                e.grade = Grade.QUALIFIED
            e.graded_at = now
    ReviewEntry.objects.bulk_create(entries, batch_size=1000)
    mutual = []
    for group in per_review.values():
        for a, b in zip(group, group[1:], strict=False):
            mutual.append(MutualAssessment(review=a.review, assessor=a, assessee=b, opinion=Grade.QUALIFIED))
    MutualAssessment.objects.bulk_create(mutual, batch_size=1000)
