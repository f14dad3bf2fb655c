"""Members' standing pages. The offices' pages load every object through the scope (404 for outsiders); the
member's own pages ("my/…") load only rows of the signed-in member's own record. Writes go through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import scope_for, scope_or_404
from common.forms import add_service_errors
from common.pagination import paginate
from common.params import id_param
from members.selectors import member_of_user

from . import selectors as sel
from . import services
from .forms import (
    AnswerForm,
    FollowUpForm,
    GradeSheetForm,
    MutualSheetForm,
    NoticeForm,
    OrganizationPickForm,
    ReviewForm,
    SelfAssessmentForm,
    SuggestionForm,
)
from .models import Grade, Notice, Review, ReviewEntry, Suggestion

PAGE_SIZE = 50


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def index(request):
    scope = scope_for(request.user)
    if not scope.sees_anything:
        return redirect("standing:me")
    return redirect("standing:notices")


# -- the member's own pages --------------------------------------------------------------------------------------
@login_required
def me(request):
    member = member_of_user(user=request.user)
    today = timezone.localdate()
    return render(
        request,
        "standing/me.html",
        {
            "member": member,
            "notices": paginate(request, sel.my_notices(user=request.user), per_page=PAGE_SIZE),
            "suggestions": [(s, s.status_on(today)) for s in sel.my_suggestions(user=request.user)[:20]],
            "reviews": list(sel.my_reviews(user=request.user)[:10]),
        },
    )


@login_required
def my_notice(request, pk: int):
    receipt = sel.my_notice_get(user=request.user, pk=pk)
    services.notice_mark_read(receipt=receipt, by=request.user)
    return render(request, "standing/my_notice.html", {"receipt": receipt, "notice": receipt.notice})


@login_required
def my_suggestion_new(request):
    member = member_of_user(user=request.user)
    leaders = sel.branch_leaders(org=member.organization, on=timezone.localdate())
    form = SuggestionForm(request.POST or None, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = services.suggestion_submit(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Sent. You can follow its status here."))
            return redirect("standing:my_suggestion", pk=suggestion.pk)
    return render(
        request,
        "standing/my_suggestion_form.html",
        {"form": form, "member": member, "days": services.answer_days()},
    )


@login_required
def my_suggestion(request, pk: int):
    suggestion = sel.my_suggestion_get(user=request.user, pk=pk)
    return render(
        request,
        "standing/my_suggestion.html",
        {"suggestion": suggestion, "status": suggestion.status_on(timezone.localdate())},
    )


@login_required
def my_review(request, pk: int):
    entry = sel.my_review_entry(user=request.user, review_pk=pk)
    sheet = sel.mutual_sheet(entry=entry)
    return render(
        request,
        "standing/my_review.html",
        {
            "entry": entry,
            "review": entry.review,
            "self_form": SelfAssessmentForm(initial={"self_assessment": entry.self_assessment}),
            "mutual_form": MutualSheetForm(sheet=sheet),
        },
    )


@login_required
@require_POST
def my_review_self(request, pk: int):
    entry = sel.my_review_entry(user=request.user, review_pk=pk)
    form = SelfAssessmentForm(request.POST)
    if form.is_valid():
        try:
            services.review_self_assess(
                entry=entry, text=form.cleaned_data["self_assessment"], by=request.user
            )
        except ValidationError as e:
            messages.error(request, _messages_of(e))
        else:
            messages.success(request, _("Self-assessment saved."))
    return redirect("standing:my_review", pk=pk)


@login_required
@require_POST
def my_review_mutual(request, pk: int):
    entry = sel.my_review_entry(user=request.user, review_pk=pk)
    form = MutualSheetForm(request.POST, sheet=sel.mutual_sheet(entry=entry))
    if form.is_valid():
        try:
            services.review_mutual_assess(entry=entry, opinions=form.opinions(), by=request.user)
        except ValidationError as e:
            messages.error(request, _messages_of(e))
        else:
            messages.success(request, _("Your opinions are saved."))
    else:
        messages.error(request, _("Check your opinions: a choice was not valid."))
    return redirect("standing:my_review", pk=pk)


# -- notices (the offices) ---------------------------------------------------------------------------------------
@login_required
def notices(request):
    scope = scope_or_404(request.user)
    return render(
        request,
        "standing/notices.html",
        {
            "page": paginate(request, sel.notices_visible(scope=scope), per_page=PAGE_SIZE),
            "can_publish": sel.organizations_for_notice(scope=scope).exists(),
            "tab": "notices",
        },
    )


@login_required
def notice_new(request):
    scope = scope_or_404(request.user)
    organizations = sel.organizations_for_notice(scope=scope)
    org_id = id_param(request.GET.get("organization"))
    if org_id is None:
        pick = OrganizationPickForm(organizations=organizations)
        return render(request, "standing/notice_pick.html", {"form": pick})
    org = scope.get_object_or_404(Organization.objects.all(), "", write=True, pk=org_id)
    today = timezone.localdate()
    audience = sel.notice_audience(org=org, on=today) if org.is_basic else None
    form = NoticeForm(request.POST or None, audience=audience)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data.get("members") or [])
        try:
            notice = services.notice_publish(
                organization=org,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                members=chosen or None,
                by=request.user,
                today=today,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The notice is published."))
            return redirect("standing:notice", pk=notice.pk)
    return render(request, "standing/notice_form.html", {"form": form, "organization": org})


@login_required
def notice(request, pk: int):
    scope = scope_or_404(request.user)
    notice = scope.get_object_or_404(
        Notice.objects.select_related("organization", "created_by"), "organization", pk=pk
    )
    shown = request.GET.get("show", "")
    read = {"read": True, "unread": False}.get(shown)
    return render(
        request,
        "standing/notice.html",
        {
            "notice": notice,
            "counts": sel.notice_receipt_counts(notice=notice),
            "page": paginate(request, sel.notice_receipts(notice=notice, read=read), per_page=PAGE_SIZE),
            "show": shown if read is not None else "",
            "tab": "notices",
        },
    )


# -- suggestions (the offices) -----------------------------------------------------------------------------------
@login_required
def suggestions(request):
    scope = scope_or_404(request.user)
    status = request.GET.get("status", "")
    if status not in ("open", "answered"):
        status = ""
    return render(
        request,
        "standing/suggestions.html",
        {
            "page": paginate(
                request, sel.suggestions_visible(scope=scope, status=status), per_page=PAGE_SIZE
            ),
            "offices": sel.offices_of(user=request.user),
            "status": status,
            "today": timezone.localdate(),
            "tab": "suggestions",
        },
    )


def _suggestion(request, pk: int) -> Suggestion:
    # Only the offices that write at the receiving organization (or above it) read a suggestion: a report
    # about a branch's leaders is addressed above the branch, so its own secretary gets 404.
    return scope_or_404(request.user).get_object_or_404(
        Suggestion.objects.select_related(
            "organization", "first_organization", "member", "answered_by", "concerning"
        ),
        "organization",
        write=True,
        pk=pk,
    )


@login_required
def suggestion(request, pk: int):
    suggestion = _suggestion(request, pk)
    offices = sel.offices_of(user=request.user)
    return render(
        request,
        "standing/suggestion.html",
        {
            "suggestion": suggestion,
            "sender_visible": sel.sender_visible(suggestion=suggestion, offices=offices),
            "status": suggestion.status_on(timezone.localdate()),
            "form": AnswerForm(),
            "tab": "suggestions",
        },
    )


@login_required
@require_POST
def suggestion_answer(request, pk: int):
    suggestion = _suggestion(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_answer(
                suggestion=suggestion, answer=form.cleaned_data["answer"], by=request.user
            )
        except ValidationError as e:
            messages.error(request, _messages_of(e))
        else:
            messages.success(request, _("The answer is sent."))
    return redirect("standing:suggestion", pk=suggestion.pk)


# -- democratic review (the offices) ----------------------------------------------------------------------------
@login_required
def reviews(request):
    scope = scope_or_404(request.user)
    return render(
        request,
        "standing/reviews.html",
        {
            "page": paginate(request, sel.reviews_visible(scope=scope), per_page=PAGE_SIZE),
            "can_open": sel.organizations_for_review(scope=scope).exists(),
            "tab": "reviews",
        },
    )


@login_required
def review_new(request):
    scope = scope_or_404(request.user)
    organizations = sel.organizations_for_review(scope=scope)
    if not organizations.exists():
        raise Http404
    form = ReviewForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        held_on = form.cleaned_data["held_on"]
        try:
            review = services.review_open(
                organization=form.cleaned_data["organization"],
                year=held_on.year,
                held_on=held_on,
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The review is open: members can now write their assessments."))
            return redirect("standing:review", pk=review.pk)
    return render(request, "standing/review_form.html", {"form": form})


def _review(request, pk: int, *, write: bool = False) -> Review:
    return scope_or_404(request.user).get_object_or_404(
        Review.objects.select_related("organization"), "organization", write=write, pk=pk
    )


@login_required
def review(request, pk: int):
    review = _review(request, pk)
    scope = scope_for(request.user)
    return render(
        request,
        "standing/review.html",
        {
            "review": review,
            "summary": sel.review_summary(review=review),
            "entries": list(sel.review_entries(review=review)),
            "can_write": scope.can_write(review.organization),
            "tab": "reviews",
        },
    )


@login_required
def review_grades(request, pk: int):
    review = _review(request, pk, write=True)
    if review.is_closed:
        raise Http404
    entries = sel.review_entries(review=review)
    form = GradeSheetForm(
        request.POST or None, entries=entries, initial={"excellent_reason": review.excellent_reason}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_grade(
                review=review,
                grades=form.grades(),
                excellent_reason=form.cleaned_data["excellent_reason"],
                by=request.user,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Grades saved."))
            return redirect("standing:review", pk=review.pk)
    return render(request, "standing/review_grades.html", {"review": review, "form": form})


@login_required
@require_POST
def review_close(request, pk: int):
    review = _review(request, pk, write=True)
    try:
        services.review_close(review=review, by=request.user)
    except ValidationError as e:
        messages.error(request, _messages_of(e))
    else:
        messages.success(request, _("The review is closed."))
    return redirect("standing:review", pk=review.pk)


@login_required
def entry_follow_up(request, pk: int):
    entry = scope_or_404(request.user).get_object_or_404(
        ReviewEntry.objects.select_related("review", "review__organization", "member"),
        "review__organization",
        write=True,
        pk=pk,
    )
    if entry.grade != Grade.UNQUALIFIED:
        raise Http404
    initial = {
        "measure": entry.follow_up_measure or ReviewEntry.Measure.CORRECTION,
        "procedure": entry.follow_up_procedure,
        "due_on": entry.follow_up_due_on,
        "done_on": entry.follow_up_done_on,
        "result": entry.follow_up_result,
    }
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_follow_up(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Follow-up saved."))
            return redirect("standing:review", pk=entry.review_id)
    return render(request, "standing/follow_up_form.html", {"entry": entry, "form": form})
