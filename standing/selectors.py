"""Reads for members' standing, always through the scope (the offices) or the member's own account (members)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery
from django.http import Http404

from branches.models import Organization, RoleAssignment
from branches.selectors import Scope
from common import statements
from common.table_versions import cached_exactly
from members.models import CommitteeTerm, Member
from members.selectors import living_on

from .models import Grade, MutualAssessment, Notice, NoticeRecipient, Review, ReviewEntry, Suggestion


# -- 党务公开 -----------------------------------------------------------------------------------------------------
def notices_visible(*, scope: Scope) -> QuerySet[Notice]:
    """The notices sent to organizations the scope reads, newest first, with their read counts (one query)."""
    return (
        scope.filter(Notice.objects.all(), "organization")
        .select_related("organization", "created_by")
        .annotate(
            recipients_n=Count("recipients"),
            read_n=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("-published_on", "-pk")
    )


def notice_receipt_counts(*, notice: Notice) -> dict[str, int]:
    counts = NoticeRecipient.objects.filter(notice=notice).aggregate(
        total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False))
    )
    counts["unread"] = counts["total"] - counts["read"]
    return counts


def notice_receipts(*, notice: Notice, read: bool | None = None) -> QuerySet[NoticeRecipient]:
    """Who the notice went to, read or not (`read` filters), unread first, by name."""
    qs = NoticeRecipient.objects.filter(notice=notice)
    if read is not None:
        qs = qs.filter(read_at__isnull=not read)
    return qs.select_related("member", "member__organization").order_by("read_at", "member__name", "pk")


def notice_audience(*, org: Organization, on: dt.date) -> QuerySet[Member]:
    """The members a notice to `org` may be sent to: its subtree's members on the roll on `on`, by name."""
    return living_on(on=on, org=org).select_related("organization").order_by("name", "pk")


def my_notices(*, user) -> QuerySet[NoticeRecipient]:
    """The notices sent to the user's own member record, newest first."""
    return (
        NoticeRecipient.objects.filter(member__user_id=user.pk)
        .select_related("notice", "notice__organization")
        .order_by("-notice__published_on", "-notice_id")
    )


def my_notice_get(*, user, pk: int) -> NoticeRecipient:
    receipt = my_notices(user=user).select_related("member").filter(notice_id=pk).first()
    if receipt is None:
        raise Http404
    return receipt


# -- 意见建议 / 监督 ----------------------------------------------------------------------------------------------
def branch_leaders(*, org: Organization, on: dt.date) -> QuerySet[Member]:
    """The members of the organization's committee in its term current on `on` (书记, 副书记, 委员: the
    branch's leaders a report may be about), by name. One query."""
    term = CommitteeTerm.objects.filter(organization=org, elected_on__lte=on).order_by("-elected_on", "-pk")
    return Member.objects.filter(offices__term=Subquery(term.values("pk")[:1])).order_by("name", "pk")


def suggestions_visible(*, scope: Scope, status: str = "") -> QuerySet[Suggestion]:
    """The suggestions addressed (now) to organizations the scope writes (the offices: officers do not read
    members' suggestions); open ones first by due date."""
    qs = scope.filter(Suggestion.objects.all(), "organization", write=True)
    if status == "open":
        qs = qs.filter(answered_on__isnull=True)
    elif status == "answered":
        qs = qs.filter(answered_on__isnull=False)
    return qs.select_related("organization", "member", "first_organization", "concerning").order_by(
        "-answered_on", "due_on", "-pk"
    )


def offices_of(*, user) -> set[int]:
    """The organizations where the user holds a writing role (the offices they act for). One query."""
    return set(
        RoleAssignment.objects.filter(user_id=user.pk, role__in=RoleAssignment.WRITE_ROLES).values_list(
            "organization_id", flat=True
        )
    )


def sender_visible(*, suggestion: Suggestion, offices: set[int]) -> bool:
    """A report about the branch's leaders shows its sender only to the receiving office (where it was sent,
    or where it went when it escalated); anything else shows the sender to whoever reads it."""
    if not suggestion.about_leaders:
        return True
    return suggestion.organization_id in offices or suggestion.first_organization_id in offices


def my_suggestions(*, user) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(member__user_id=user.pk)
        .select_related("organization")
        .order_by("-submitted_on", "-pk")
    )


def my_suggestion_get(*, user, pk: int) -> Suggestion:
    suggestion = my_suggestions(user=user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404
    return suggestion


def suggestions_overdue(*, as_of: dt.date) -> QuerySet[Suggestion]:
    """Not answered in time and not yet escalated (escalation happens once), with a level above to go to."""
    return (
        Suggestion.objects.filter(answered_on__isnull=True, escalated_on__isnull=True, due_on__lt=as_of)
        .filter(organization__parent__isnull=False)
        .select_related("member", "organization")
        .order_by("pk")
    )


def suggestions_late_after_escalation(
    *, as_of: dt.date, org_ids: set[int] | None = None
) -> QuerySet[Suggestion]:
    """Escalated once and still not answered by the second due date (nothing escalates twice)."""
    qs = Suggestion.objects.filter(answered_on__isnull=True, escalated_on__isnull=False, due_on__lt=as_of)
    return qs.filter(organization_id__in=org_ids) if org_ids is not None else qs


# -- 民主评议党员 -------------------------------------------------------------------------------------------------
def reviews_visible(*, scope: Scope) -> QuerySet[Review]:
    """The reviews of organizations the scope reads with their counts, newest year first (one query)."""
    return (
        scope.filter(Review.objects.all(), "organization")
        .select_related("organization")
        .annotate(**_grade_counts("entries__"))
        .order_by("-year", "organization__path")
    )


def _grade_counts(prefix: str = "") -> dict[str, Any]:
    counts: dict[str, Any] = {
        "participants": Count(f"{prefix}pk", distinct=True),
        "probationary_n": Count(f"{prefix}pk", filter=Q(**{f"{prefix}probationary": True}), distinct=True),
        "graded_n": Count(f"{prefix}pk", filter=~Q(**{f"{prefix}grade": ""}), distinct=True),
    }
    for grade in Grade.values:
        counts[f"{grade}_n"] = Count(f"{prefix}pk", filter=Q(**{f"{prefix}grade": grade}), distinct=True)
    return counts


# Everything review_latest reads.
LATEST_TABLES = ("standing_review", "standing_reviewentry")


def review_latest(*, org: Organization) -> Review | None:
    """The organization's latest review with its counts (reviews_visible's annotations), or None: from the
    cache while none of LATEST_TABLES has been written (common.table_versions; one query), as the organization
    page shows it on every visit."""
    return cached_exactly(
        f"standing:review_latest:{org.pk}",
        tables=LATEST_TABLES,
        compute=lambda: (
            Review.objects.filter(organization=org)
            .annotate(**_grade_counts("entries__"))
            .order_by("-year")
            .first()
        ),
    )


def review_summary(*, review: Review) -> dict[str, Any]:
    """The branch summary: participants, probationary, graded and each grade, self-assessments, mutual
    assessments, open follow-ups. Two queries."""
    entries = ReviewEntry.objects.filter(review=review)
    summary = entries.aggregate(
        **_grade_counts(),
        self_n=Count("pk", filter=~Q(self_assessment="")),
        follow_ups_open=Count("pk", filter=Q(grade=Grade.UNQUALIFIED, follow_up_done_on__isnull=True)),
    )
    summary["mutual_n"] = MutualAssessment.objects.filter(review=review).count()
    summary["grades"] = [(g, label, summary[f"{g}_n"]) for g, label in Grade.choices]
    summary["excellent_over"] = summary["excellent_n"] * 3 > summary["graded_n"]
    return summary


def review_entries(*, review: Review) -> QuerySet[ReviewEntry]:
    """The review's members with the opinions fellow members gave them per grade (one query)."""
    opinions = {
        f"op_{g}": Count("received", filter=Q(received__opinion=g), distinct=True) for g in Grade.values
    }
    return (
        ReviewEntry.objects.filter(review=review)
        .select_related("member")
        .annotate(**opinions)
        .order_by("member__name", "pk")
    )


def my_reviews(*, user) -> QuerySet[ReviewEntry]:
    return (
        ReviewEntry.objects.filter(member__user_id=user.pk)
        .select_related("review", "review__organization", "member")
        .order_by("-review__year", "-pk")
    )


def my_review_entry(*, user, review_pk: int) -> ReviewEntry:
    entry = my_reviews(user=user).filter(review_id=review_pk).first()
    if entry is None:
        raise Http404
    return entry


def mutual_sheet(*, entry: ReviewEntry) -> list[tuple[ReviewEntry, MutualAssessment | None]]:
    """The fellow members of the review with the opinion this member gave each (two queries)."""
    given = {a.assessee_id: a for a in MutualAssessment.objects.filter(assessor=entry)}
    others = (
        ReviewEntry.objects.filter(review_id=entry.review_id)
        .exclude(pk=entry.pk)
        .select_related("member")
        .order_by("member__name", "pk")
    )
    return [(other, given.get(other.pk)) for other in others]


def member_review_results(*, member: Member, limit: int = 10) -> list[ReviewEntry]:
    """The member's results of the last `limit` reviews, newest first (the member page's panel). Its statement
    compiled once (common.statements)."""
    return statements.by_id(
        ReviewEntry,
        ("standing.member_review_results", limit),
        lambda pk: (
            ReviewEntry.objects.filter(member_id=pk)
            .select_related("review", "review__organization")
            .order_by("-review__year", "-pk")[:limit]
        ),
        member.pk,
    )


def follow_ups_overdue(*, as_of: dt.date, org_ids: set[int] | None = None) -> QuerySet[ReviewEntry]:
    """不合格 follow-ups past their deadline and not completed."""
    qs = ReviewEntry.objects.filter(
        grade=Grade.UNQUALIFIED, follow_up_due_on__lt=as_of, follow_up_done_on__isnull=True
    )
    if org_ids is not None:
        qs = qs.filter(review__organization_id__in=org_ids)
    return qs.select_related("member", "review")


def organizations_for_review(*, scope: Scope) -> QuerySet[Organization]:
    """The basic organizations the scope may write: where a review can be opened."""
    return scope.organizations(write=True).filter(kind__in=Organization.BASIC_KINDS).order_by("path")


def organizations_for_notice(*, scope: Scope) -> QuerySet[Organization]:
    """Where a notice can be published: every organization the scope writes."""
    return scope.organizations(write=True).order_by("path")
