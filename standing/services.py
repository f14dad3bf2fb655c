"""Writes for members' standing: notices (党务公开), suggestions and supervision (意见建议 / 监督), and the
democratic review of members (民主评议党员). Views, commands and jobs call these; each takes `by`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Organization, RoleAssignment
from members.models import Member
from members.selectors import living_on, organization_on
from notifications.services import Message, delivery_key, notify_many, recipients_for
from users.models import User

from .models import Grade, MutualAssessment, Notice, NoticeRecipient, Review, ReviewEntry, Suggestion
from .selectors import branch_leaders

WRITE_ROLES = RoleAssignment.WRITE_ROLES


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# -- 党务公开 -----------------------------------------------------------------------------------------------------
@transaction.atomic
def notice_publish(
    *,
    organization: Organization,
    title: str,
    body: str,
    by: User,
    members: Iterable[Member] | None = None,
    today: dt.date | None = None,
) -> Notice:
    """Publish a notice to the members of `organization`'s subtree on the roll today, or to the `members`
    chosen among them. The recipients are written once (the read receipts); each member with an account
    gets it in their e-mail digest, keyed once per member and notice ("notice:<notice>:<user>")."""
    today = today or timezone.localdate()
    errors = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = _("Give the notice a title.")
    if not body:
        errors["body"] = _("Write the text of the notice.")
    if errors:
        raise ValidationError(errors)
    audience = living_on(on=today, org=organization)
    chosen = members is not None
    if chosen:
        wanted = {m.pk for m in members or []}
        if not wanted:
            raise ValidationError({"members": _("Choose at least one member.")})
        audience = audience.filter(pk__in=wanted)
        if audience.count() != len(wanted):
            raise ValidationError(
                {"members": _("A chosen member is not a member of this organization today.")}
            )
    recipients = list(audience.select_related("user").order_by("pk"))
    if not recipients:
        raise ValidationError(_("This organization has no members to send the notice to."))
    notice = Notice.objects.create(
        organization=organization, title=title, body=body, chosen=chosen, published_on=today, created_by=by
    )
    NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, member=m) for m in recipients])
    url = reverse("standing:my_notice", args=[notice.pk])
    notify_many(
        messages=(
            Message(
                user=m.user,
                key=delivery_key("notice", notice.pk, m.user.pk),
                kind="notice",
                template="standing/email/notice",
                context={"notice": notice, "organization": organization.name, "link": url},
                url=url,
                digest_only=True,
            )
            for m in recipients
            if m.user is not None
        )
    )
    return notice


def notice_mark_read(*, receipt: NoticeRecipient, by: User) -> bool:
    """The member opened the notice: the first time is the read receipt (a conditional UPDATE: two tabs
    record one time)."""
    if receipt.member.user_id != by.pk:
        raise PermissionDenied
    now = timezone.now()
    updated = NoticeRecipient.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=now)
    if updated:
        receipt.read_at = now
    return bool(updated)


# -- 意见建议 / 监督 ----------------------------------------------------------------------------------------------
def answer_days() -> int:
    return settings.SUGGESTION_ANSWER_DAYS


def _office_messages(*, suggestion: Suggestion, what: str, org: Organization) -> list[Message]:
    url = reverse("standing:suggestion", args=[suggestion.pk])
    holders = recipients_for(org_ids=[org.pk], roles=WRITE_ROLES).get(org.pk, [])
    return [
        Message(
            user=user,
            key=delivery_key(what, suggestion.pk, user.pk),
            kind=what,
            template=f"standing/email/{what}",
            context={"suggestion": suggestion, "organization": org.name, "link": url},
            url=url,
        )
        for user in holders
    ]


def _sender_message(*, suggestion: Suggestion, what: str) -> list[Message]:
    user = suggestion.member.user
    if user is None:
        return []
    url = reverse("standing:my_suggestion", args=[suggestion.pk])
    return [
        Message(
            user=user,
            key=delivery_key(what, suggestion.pk, user.pk),
            kind=what,
            template=f"standing/email/{what}",
            context={"suggestion": suggestion, "organization": suggestion.organization.name, "link": url},
            url=url,
        )
    ]


@transaction.atomic
def suggestion_submit(
    *,
    member: Member,
    kind: str,
    subject: str,
    text: str,
    to_above: bool = False,
    about_leaders: bool = False,
    concerning: Member | None = None,
    by: User,
    today: dt.date | None = None,
) -> Suggestion:
    """A member sends a suggestion, question or report (意见建议、询问、反映) to their branch, or to the level
    above. One about the branch's own leaders (its committee) goes above the branch whatever was asked, so
    that those it is about do not receive it. The receiver answers within SUGGESTION_ANSWER_DAYS."""
    if member.user_id != by.pk:
        raise PermissionDenied
    today = today or timezone.localdate()
    errors = {}
    subject = (subject or "").strip()
    text = (text or "").strip()
    if not subject:
        errors["subject"] = _("Give your message a subject.")
    if not text:
        errors["text"] = _("Write what you want to say: an empty message is not sent.")
    if kind not in Suggestion.Kind.values:
        errors["kind"] = _("Choose a suggestion, a question or a report.")
    if errors:
        raise ValidationError(errors)
    if not member.on_roll:
        raise ValidationError(_("Only a member on the roll can send this."))
    branch = member.organization
    if concerning is not None:
        if not branch_leaders(org=branch, on=today).filter(pk=concerning.pk).exists():
            raise ValidationError({"concerning": _("Choose one of the branch's leaders.")})
        about_leaders = True
    receiver = branch
    if (to_above or about_leaders) and branch.parent is not None:
        receiver = branch.parent
    suggestion = Suggestion.objects.create(
        member=member,
        kind=kind,
        about_leaders=about_leaders,
        concerning=concerning,
        organization=receiver,
        first_organization=receiver,
        subject=subject,
        text=text,
        submitted_on=today,
        due_on=today + dt.timedelta(days=answer_days()),
    )
    notify_many(messages=_office_messages(suggestion=suggestion, what="suggestion_received", org=receiver))
    return suggestion


@transaction.atomic
def suggestion_answer(
    *, suggestion: Suggestion, answer: str, by: User, today: dt.date | None = None
) -> Suggestion:
    """The receiving office answers (once); the sender is told."""
    answer = _required(answer, "answer", _("Write the answer."))
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.answered_on is not None:
        raise ValidationError(_("This has been answered already."))
    locked.answer = answer
    locked.answered_on = today or timezone.localdate()
    locked.answered_by = by
    locked.save(update_fields=["answer", "answered_on", "answered_by"])
    suggestion.answer, suggestion.answered_on, suggestion.answered_by = answer, locked.answered_on, by
    notify_many(messages=_sender_message(suggestion=suggestion, what="suggestion_answered"))
    return suggestion


@transaction.atomic
def suggestion_escalate(*, suggestion: Suggestion, as_of: dt.date, by: User) -> bool:
    """Not answered in time: the suggestion goes one level up (once), with a new time limit; the new office and
    the sender are told. False when there is nothing to do (answered, escalated already, not yet due, or
    already at the county)."""
    locked = Suggestion.objects.select_for_update().select_related("organization").get(pk=suggestion.pk)
    if locked.answered_on is not None or locked.escalated_on is not None or locked.due_on >= as_of:
        return False
    above = locked.organization.parent
    if above is None:  # the county: nowhere to go (the selection leaves it out already)
        return False
    locked.organization = above
    locked.escalated_on = as_of
    locked.due_on = as_of + dt.timedelta(days=answer_days())
    locked.save(update_fields=["organization", "escalated_on", "due_on"])
    locked.member = suggestion.member
    notify_many(
        messages=_office_messages(suggestion=locked, what="suggestion_escalated", org=above)
        + _sender_message(suggestion=locked, what="suggestion_escalated")
    )
    return True


# -- 民主评议党员 -------------------------------------------------------------------------------------------------
@transaction.atomic
def review_open(
    *, organization: Organization, year: int, held_on: dt.date, by: User, today: dt.date | None = None
) -> Review:
    """Open the year's democratic review of a basic organization's members. Who takes part is the roster of
    that organization on the review date (members.selectors.living_on, transfers after it undone), written
    down now: a later transfer, death or departure changes no result of this review."""
    today = today or timezone.localdate()
    if not organization.is_basic:
        raise ValidationError(_("Members are reviewed in a branch, general branch or party committee."))
    if held_on.year != year:
        raise ValidationError({"held_on": _("The review date must fall in the year reviewed.")})
    if held_on > today:
        raise ValidationError({"held_on": _("Open the review on or after the review date.")})
    if Review.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(
            {"year": _("This organization has its review for %(year)s already.") % {"year": year}}
        )
    members = list(
        living_on(on=held_on, org=organization)
        .annotate(org_then=organization_on(held_on, "code"))
        .filter(org_then=organization.code)
        .only("pk", "full_member_on")
        .order_by("pk")
    )
    if not members:
        raise ValidationError(_("This organization had no members on the review date."))
    review = Review.objects.create(organization=organization, year=year, held_on=held_on, created_by=by)
    ReviewEntry.objects.bulk_create(
        ReviewEntry(
            review=review,
            member=m,
            probationary=m.full_member_on is None or m.full_member_on > held_on,
        )
        for m in members
    )
    return review


def _open_review(review: Review) -> Review:
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.closed_on is not None:
        raise ValidationError(_("This review is closed."))
    return locked


def _own_entry(entry: ReviewEntry, by: User) -> None:
    if entry.member.user_id != by.pk:
        raise PermissionDenied


@transaction.atomic
def review_self_assess(*, entry: ReviewEntry, text: str, by: User) -> ReviewEntry:
    """The member's own self-assessment (自我评价), while the review is open."""
    _own_entry(entry, by)
    text = _required(text, "self_assessment", _("Write your self-assessment."))
    _open_review(entry.review)
    entry.self_assessment = text
    entry.self_assessed_at = timezone.now()
    entry.save(update_fields=["self_assessment", "self_assessed_at"])
    return entry


@transaction.atomic
def review_mutual_assess(*, entry: ReviewEntry, opinions: Mapping[int, tuple[str, str]], by: User) -> int:
    """The member's opinions of fellow members of the same review (党员互评): {entry id: (grade, comment)}.
    A blank grade withdraws an opinion given before. Returns how many opinions the member now gives."""
    _own_entry(entry, by)
    review = _open_review(entry.review)
    others = set(ReviewEntry.objects.filter(review=review).exclude(pk=entry.pk).values_list("pk", flat=True))
    unknown = set(opinions) - others
    if unknown:
        raise ValidationError(_("You can only assess the other members of this review."))
    for assessee_id, (opinion, comment) in opinions.items():
        if opinion and opinion not in Grade.values:
            raise ValidationError(_("Choose one of the grades."))
        if opinion:
            MutualAssessment.objects.update_or_create(
                assessor=entry,
                assessee_id=assessee_id,
                defaults={"review": review, "opinion": opinion, "comment": (comment or "").strip()[:255]},
            )
        else:
            MutualAssessment.objects.filter(assessor=entry, assessee_id=assessee_id).delete()
    return MutualAssessment.objects.filter(assessor=entry).count()


def excellent_allowed(*, excellent: int, graded: int) -> bool:
    """优秀 normally at most a third of those graded."""
    return excellent * 3 <= graded


@transaction.atomic
def review_grade(
    *, review: Review, grades: Mapping[int, str], excellent_reason: str = "", by: User
) -> Review:
    """The branch committee's grades (优秀 / 合格 / 基本合格 / 不合格), {entry id: grade or ""}. All or nothing:
    a probationary member is not graded; more 优秀 than a third of those graded needs a reason."""
    review = _open_review(review)
    entries = {e.pk: e for e in ReviewEntry.objects.filter(review=review).select_related("member")}
    errors = []
    for entry_id, grade in grades.items():
        entry = entries.get(entry_id)
        if entry is None:
            errors.append(_("A graded member is not part of this review."))
        elif grade and grade not in Grade.values:
            errors.append(_("Choose one of the grades."))
        elif grade and entry.probationary:
            errors.append(
                _("%(name)s was a probationary member on the review date and is not graded.")
                % {"name": entry.member.name}
            )
    if errors:
        raise ValidationError(errors)
    final = {pk: grades.get(pk, e.grade) for pk, e in entries.items()}
    graded = sum(1 for g in final.values() if g)
    excellent = sum(1 for g in final.values() if g == Grade.EXCELLENT)
    reason = (excellent_reason or "").strip()
    if not excellent_allowed(excellent=excellent, graded=graded) and not reason:
        raise ValidationError(
            {
                "excellent_reason": _(
                    "%(excellent)s of %(graded)s graded are excellent, more than a third: record the reason."
                )
                % {"excellent": excellent, "graded": graded}
            }
        )
    now = timezone.now()
    changed = [e for pk, e in entries.items() if final[pk] != e.grade]
    for e in changed:
        e.grade, e.graded_by, e.graded_at = final[e.pk], by, now
    ReviewEntry.objects.bulk_update(changed, ["grade", "graded_by", "graded_at"])
    review.excellent_reason = reason
    review.save(update_fields=["excellent_reason"])
    return review


@transaction.atomic
def review_follow_up(
    *,
    entry: ReviewEntry,
    measure: str,
    due_on: dt.date,
    procedure: str = "",
    done_on: dt.date | None = None,
    result: str = "",
    by: User,
) -> ReviewEntry:
    """The follow-up for a member graded 不合格: correction within a time limit (限期改正) or the procedure
    the branch records, with a deadline; later the date it was done and the result."""
    if entry.grade != Grade.UNQUALIFIED:
        raise ValidationError(_("A follow-up is recorded only for a member graded unqualified."))
    errors = {}
    if measure not in ReviewEntry.Measure.values:
        errors["measure"] = _("Choose the follow-up.")
    procedure = (procedure or "").strip()
    if measure == ReviewEntry.Measure.OTHER and not procedure:
        errors["procedure"] = _("Describe the procedure the branch decided.")
    if due_on is None:
        errors["due_on"] = _("Give a deadline.")
    elif due_on < entry.review.held_on:
        errors["due_on"] = _("The deadline cannot be before the review.")
    if done_on is not None and done_on < entry.review.held_on:
        errors["done_on"] = _("The follow-up cannot be completed before the review.")
    if errors:
        raise ValidationError(errors)
    entry.follow_up_measure = measure
    entry.follow_up_procedure = procedure
    entry.follow_up_due_on = due_on
    entry.follow_up_done_on = done_on
    entry.follow_up_result = (result or "").strip()
    entry.save(
        update_fields=[
            "follow_up_measure",
            "follow_up_procedure",
            "follow_up_due_on",
            "follow_up_done_on",
            "follow_up_result",
        ]
    )
    return entry


@transaction.atomic
def review_close(*, review: Review, by: User, today: dt.date | None = None) -> Review:
    """Close the review: its grades and assessments no longer change (follow-ups still can)."""
    review = _open_review(review)
    review.closed_on = today or timezone.localdate()
    review.save(update_fields=["closed_on"])
    return review
