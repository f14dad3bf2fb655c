"""Thin views: load through the scope (404 for outsiders), call a service or selector, render."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import organization_top, scope_for
from common.forms import add_service_errors
from common.links import id_url
from common.pagination import paginate
from common.params import year_or_current, year_param
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx
from members.models import Member
from members.selectors import member_get_for_user
from members.services import members_export_recorded

from . import calendar_feed, selectors, services
from .compliance import STATUSES, load_rules
from .forms import (
    AttachmentForm,
    AttendanceCorrectionForm,
    MeetingForm,
    PlanForm,
    RequirementForm,
    StudyRecordForm,
)
from .models import Meeting, MeetingAttachment, MeetingPlan

MONTH_LABELS = [str(m) for m in range(1, 13)]


def _org(request, pk, *, write=False) -> Organization:
    return scope_for(request.user).get_object_or_404(Organization.objects.all(), "", write=write, pk=pk)


def _meeting(request, pk, *, write=False) -> Meeting:
    return scope_for(request.user).get_object_or_404(
        Meeting.objects.select_related("organization", "party_group").prefetch_related("kinds"),
        "organization",
        write=write,
        pk=pk,
    )


def _top_org(request) -> Organization | None:
    """The organization a page starts from: ?org=, else the user's highest organization."""
    scope = scope_for(request.user)
    if request.GET.get("org"):
        try:
            return _org(request, int(request.GET["org"]))
        except ValueError:
            raise Http404 from None
    return organization_top(scope=scope)


# -- meetings ------------------------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    scope = scope_for(request.user)
    org = _top_org(request)
    if org is None:
        raise Http404
    year = year_param(request)
    kind = request.GET.get("kind") or None
    status = request.GET.get("status") if request.GET.get("status") in Meeting.Status.values else None
    meetings = selectors.meetings_visible(scope, organization=org, year=year, kind=kind, status=status)
    page = paginate(request, meetings, count_tables=selectors.MEETINGS_COUNT_TABLES)
    page.object_list = list(page.object_list)
    kinds = list(selectors.meeting_kinds())
    kind_ids = selectors.meeting_kind_ids(meetings=page.object_list)
    return render(
        request,
        "education/meeting_list.html",
        {
            "org": org,
            "page": page,
            "rows": _meeting_rows(page.object_list, org=org, kinds=kinds, kind_ids=kind_ids),
            "kinds": kinds,
            "statuses": Meeting.Status.choices,
            "filters": {"year": year or "", "kind": kind or "", "status": status or ""},
            "can_write": scope.can_write(org) and org.is_basic,
        },
    )


STATUS_BADGES = {Meeting.Status.HELD: "text-bg-success", Meeting.Status.PLANNED: "text-bg-warning"}


def _meeting_rows(meetings, *, org: Organization, kinds: list, kind_ids: dict[int, list[int]]) -> list[dict]:
    """What each line of the list shows, made once per page as plain values (a dict: the template's first
    lookup finds them): its address (reversed once), date and time, status and its badge, kinds (`kinds` in
    their order, `kind_ids` each meeting's), group, topic, its organization when it is not `org` itself, and
    its attendance line (a {% url %}, date filters, a choice lookup, a related manager and a blocktranslate
    per line were most of the page)."""
    detail_url = id_url("education:meeting_detail")
    order = {k.pk: i for i, k in enumerate(kinds)}
    labels = {k.pk: k.label for k in kinds}
    statuses = dict(Meeting.Status.choices)
    counted = _("present %(p)s · excused %(e)s · absent %(a)s")
    attended = _("attended %(p)s of %(e)s")
    whole_tree = not org.is_basic
    rows = []
    for m in meetings:
        line = ""
        if m.n_present or m.n_absent or m.n_excused:
            line = counted % {"p": m.n_present, "e": m.n_excused, "a": m.n_absent}
        elif m.attended_count is not None:
            line = attended % {"p": m.attended_count, "e": m.expected_count}
        rows.append(
            {
                "url": detail_url(m.pk),
                "when": f"{m.date:%Y-%m-%d} {m.start_time:%H:%M}" if m.start_time else f"{m.date:%Y-%m-%d}",
                "badge": STATUS_BADGES.get(m.status, "text-bg-secondary"),
                "status": statuses.get(m.status, m.status),
                "kinds": [labels[k] for k in sorted(kind_ids[m.pk], key=order.__getitem__)],
                "group": m.party_group.name if m.party_group else None,
                "topic": m.topic or "—",
                "organization": m.organization.name if whole_tree or m.organization_id != org.pk else None,
                "held": m.status == Meeting.Status.HELD,
                "attendance": line,
            }
        )
    return rows


@login_required
def meeting_create(request):
    try:
        org = _org(request, int(request.GET.get("org", "")), write=True)
    except ValueError:
        raise Http404 from None
    form = MeetingForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kinds, group = data.pop("kinds"), data.pop("party_group")
        try:
            meeting = services.meeting_create(
                organization=org, kinds=kinds, party_group=group, by=request.user, **data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The meeting was saved."))
            if meeting.date <= timezone.localdate():
                return redirect("education:meeting_attendance", pk=meeting.pk)
            return redirect("education:meeting_detail", pk=meeting.pk)
    return render(request, "education/meeting_form.html", {"form": form, "org": org, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting = _meeting(request, pk, write=True)
    form = MeetingForm(request.POST or None, instance=meeting, organization=meeting.organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kinds, group, version = data.pop("kinds"), data.pop("party_group"), data.pop("version", None)
        try:
            # the form wrote its values onto the instance; reload so the service sees the stored state
            stored = selectors.meeting_get_stored(meeting=meeting)
            services.meeting_update(
                meeting=stored,
                kinds=kinds,
                party_group=group,
                by=request.user,
                attendees_reason=data.pop("attendees_reason", ""),
                version=version,
                **data,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("education:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "education/meeting_form.html",
        {"form": form, "org": meeting.organization, "meeting": meeting},
    )


def _sheet_context(meeting: Meeting) -> dict:
    sheet = selectors.attendance_sheet(meeting=meeting)
    held = meeting.status == Meeting.Status.HELD
    return {
        "meeting": meeting,
        "sheet": sheet,
        "totals": selectors.attendance_totals(sheet),
        "quorum": selectors.meeting_quorum(meeting=meeting, sheet=sheet),
        "is_future": meeting.date > timezone.localdate(),
        "held": held,
        # a long sheet reads by party group (a 党小组会 is one group already)
        "has_groups": not meeting.party_group_id and any(line.member.party_group_id for line in sheet),
        # an imported ledger row without names: its 应到/实到 numbers are the record
        "counts_only": held and not sheet and meeting.expected_count is not None,
    }


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    scope = scope_for(request.user)
    context = _sheet_context(meeting)
    context.update(
        {
            "attachments": selectors.meeting_attachments(meeting=meeting),
            "attachment_form": AttachmentForm(),
            "can_write": scope.can_write(meeting.organization),
        }
    )
    if context["can_write"]:
        context["history"] = selectors.meeting_history(meeting=meeting)
    return render(request, "education/meeting_detail.html", context)


@login_required
def meeting_attendance(request, pk):
    """The phone-first sheet: everyone present by default, one tap per exception."""
    meeting = _meeting(request, pk, write=True)
    context = _sheet_context(meeting)
    if context["held"]:
        context["add_form"] = AttendanceCorrectionForm(members=selectors.attendance_addable(meeting=meeting))
    return render(request, "education/meeting_attendance.html", context)


@login_required
@require_POST
def attendance_correct(request, pk, action):
    """A held meeting: add or remove an expected attendee, a stated action with a reason (kept in the
    meeting's history)."""
    if action not in ("add", "remove"):
        raise Http404
    meeting = _meeting(request, pk, write=True)
    if action == "add":
        members = selectors.attendance_addable(meeting=meeting)
    else:
        members = selectors.attendance_recorded_members(meeting=meeting)
    form = AttendanceCorrectionForm(request.POST, members=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "add":
                services.attendance_add(
                    meeting=meeting,
                    member_id=data["member"].pk,
                    status=data["status"] or "present",
                    reason=data["reason"],
                    change_reason=data["change_reason"],
                    by=request.user,
                )
            else:
                services.attendance_remove(
                    meeting=meeting,
                    member_id=data["member"].pk,
                    change_reason=data["change_reason"],
                    by=request.user,
                )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The attendance was corrected."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("education:meeting_attendance", pk=meeting.pk)


@login_required
@require_POST
def attendance_mark(request, pk, member_id):
    meeting = _meeting(request, pk, write=True)
    status = request.POST.get("status")
    try:
        if status:
            services.attendance_set(
                meeting=meeting,
                member_id=member_id,
                status=status,
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        else:
            services.attendance_toggle(meeting=meeting, member_id=member_id, by=request.user)
    except ValidationError as e:
        if request.htmx:
            return HttpResponse(" ".join(e.messages), status=422)
        messages.error(request, " ".join(e.messages))
        return redirect("education:meeting_attendance", pk=meeting.pk)
    if request.htmx:
        context = _sheet_context(meeting)
        line = next(line for line in context["sheet"] if line.member.pk == member_id)
        return render(request, "education/_attendance_row.html", {**context, "line": line, "oob": True})
    return redirect("education:meeting_attendance", pk=meeting.pk)


@login_required
@require_POST
def meeting_held(request, pk):
    meeting = _meeting(request, pk, write=True)
    try:
        services.meeting_mark_held(meeting=meeting, by=request.user)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
        if hasattr(e, "error_dict") and "minutes" in e.error_dict:
            return redirect("education:meeting_edit", pk=meeting.pk)
        return redirect("education:meeting_attendance", pk=meeting.pk)
    messages.success(request, _("The meeting is recorded as held."))
    return redirect("education:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = _meeting(request, pk, write=True)
    try:
        services.meeting_cancel(meeting=meeting, by=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The meeting was cancelled."))
    return redirect("education:meeting_detail", pk=meeting.pk)


@login_required
def meeting_print(request, pk):
    meeting = _meeting(request, pk)
    return render(request, "education/meeting_print.html", _sheet_context(meeting))


# -- attachments ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request, pk):
    meeting = _meeting(request, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(meeting=meeting, file=form.cleaned_data["file"], by=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The file was attached."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("education:meeting_detail", pk=meeting.pk)


@login_required
def attachment_download(request, pk):
    """Files are never on a public URL: this scoped view is the only way to them."""
    attachment = scope_for(request.user).get_object_or_404(
        MeetingAttachment.objects.all(), "meeting__organization", pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type, filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = scope_for(request.user).get_object_or_404(
        MeetingAttachment.objects.all(), "meeting__organization", write=True, pk=pk
    )
    meeting_id = attachment.meeting_id
    services.attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The file was removed."))
    return redirect("education:meeting_detail", pk=meeting_id)


# -- compliance ---------------------------------------------------------------------------------------------


@login_required
@reads_from_replica
def compliance_overview(request):
    """Township and county: which branches are behind this year."""
    org = _top_org(request)
    if org is None:
        raise Http404
    year = year_or_current(request)
    as_of = timezone.localdate()
    only_behind = request.GET.get("behind") == "1"
    summary = selectors.branches_summary(root=org, year=year, as_of=as_of, only_behind=only_behind)
    return render(
        request,
        "education/compliance_overview.html",
        {
            "org": org,
            "year": year,
            "as_of": as_of,
            "only_behind": only_behind,
            "page": paginate(request, summary),
            "totals": {s: sum(getattr(u, s) for u in summary) for s in STATUSES},
            "behind": sum(1 for u in summary if u.missing),
            "units": len(summary),
        },
    )


@login_required
def compliance_org(request, org_id):
    org = _org(request, org_id)
    year = year_or_current(request)
    as_of = timezone.localdate()
    strip = selectors.organization_strip(organization=org, year=year, as_of=as_of)
    return render(
        request,
        "education/compliance_org.html",
        {
            "org": org,
            "year": year,
            "as_of": as_of,
            "strip": strip,
            "month_labels": MONTH_LABELS,
            "can_write": scope_for(request.user).can_write(org),
        },
    )


@login_required
def compliance_missing(request, org_id):
    """The meetings a branch owed at the end of one month (?year=&month=): the month's, and the quarter's or
    the year's that end with it, missing first (a heat-map cell of the dashboard opens this)."""
    org = _org(request, org_id)
    year = year_or_current(request)
    as_of = timezone.localdate()
    month = request.GET.get("month", "")
    month_number = int(month) if month.isascii() and month.isdigit() and 1 <= int(month) <= 12 else None
    if month_number is None:
        month_number = as_of.month if year == as_of.year else 12
    rows = selectors.organization_month_rows(organization=org, year=year, month=month_number, as_of=as_of)
    return render(
        request,
        "education/compliance_missing.html",
        {
            "org": org,
            "year": year,
            "month": month_number,
            "as_of": as_of,
            "rows": rows,
            "missing": sum(1 for r in rows if r.status == "missing"),
            "can_write": scope_for(request.user).can_write(org),
        },
    )


# -- ledger (台账) -------------------------------------------------------------------------------------------


@login_required
def ledger(request, org_id, year):
    org = _org(request, org_id)
    meetings = selectors.ledger_meetings(organization=org, year=year)
    strip = selectors.organization_strip(organization=org, year=year, as_of=timezone.localdate())
    return render(
        request,
        "education/ledger.html",
        {
            "org": org,
            "year": year,
            "meetings": meetings,
            "strip": strip,
            "month_labels": MONTH_LABELS,
            "can_write": scope_for(request.user).can_write(org),
        },
    )


@login_required
def ledger_attendance(request, org_id, year):
    """The ledger's attendance table (export_attendance's columns) for the organization's subtree: it
    carries full ID numbers, so only writers get it, and the download is recorded (PIPL)."""
    org = _org(request, org_id, write=True)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    rows = list(selectors.attendance_export_rows(organization=org, year=year))
    members_export_recorded(by=request.user, count=len(rows), detail=f"attendance {org.code} {year}")
    filename = f"attendance-{org.code}-{year}.{fmt}"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        stream_xlsx(buffer, selectors.EXPORT_COLUMNS, rows, sheet_title=str(year))
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        stream_csv(response, selectors.EXPORT_COLUMNS, rows)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- plans -----------------------------------------------------------------------------------------------------


@login_required
def plan_list(request, org_id):
    scope = scope_for(request.user)
    org = _org(request, org_id)
    can_write = scope.can_write(org)
    form = PlanForm(request.POST or None, organization=org)
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.plan_save(
                    organization=org,
                    kinds=data.pop("kinds"),
                    party_group=data.pop("party_group"),
                    by=request.user,
                    **data,
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The schedule was saved; its planned meetings were added."))
                return redirect("education:plan_list", org_id=org.pk)
    plans = selectors.plans_of(organization=org)
    upcoming = selectors.meetings_upcoming(organization=org, as_of=timezone.localdate())
    return render(
        request,
        "education/plan_list.html",
        {"org": org, "plans": plans, "form": form, "upcoming": upcoming, "can_write": can_write},
    )


@login_required
def plan_edit(request, pk):
    plan = scope_for(request.user).get_object_or_404(
        MeetingPlan.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    form = PlanForm(request.POST or None, instance=plan, organization=plan.organization)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.plan_save(
                organization=plan.organization,
                plan=selectors.plan_get_stored(plan=plan),
                kinds=data.pop("kinds"),
                party_group=data.pop("party_group"),
                by=request.user,
                **data,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The schedule was saved; its planned meetings were added."))
            return redirect("education:plan_list", org_id=plan.organization_id)
    return render(request, "education/plan_form.html", {"form": form, "plan": plan, "org": plan.organization})


@login_required
@require_POST
def plan_stop(request, pk):
    plan = scope_for(request.user).get_object_or_404(
        MeetingPlan.objects.all(), "organization", write=True, pk=pk
    )
    services.plan_deactivate(plan=plan, by=request.user)
    messages.success(request, _("The schedule was stopped."))
    return redirect("education:plan_list", org_id=plan.organization_id)


# -- calendar --------------------------------------------------------------------------------------------------


@login_required
def calendar_manage(request, org_id):
    org = _org(request, org_id, write=True)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(organization=org, by=request.user)
            messages.success(request, _("The calendar link no longer works."))
        else:
            services.calendar_feed_renew(organization=org, by=request.user)
            messages.success(request, _("A new calendar link was made; the old one no longer works."))
        return redirect("education:calendar_manage", org_id=org.pk)
    feed = selectors.calendar_feed_active(organization=org)
    url = request.build_absolute_uri(reverse("education:calendar_feed", args=[feed.token])) if feed else None
    return render(request, "education/calendar_manage.html", {"org": org, "feed": feed, "url": url})


def calendar_ics(request, token):
    """The secret URL a calendar app subscribes to: no login, only the token (revocable)."""
    feed = selectors.calendar_feed_by_token(token=token)
    if feed is None:
        raise Http404
    body = calendar_feed.render_feed(organization=feed.organization, as_of=timezone.localdate())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{feed.organization.code}.ics"'
    return response


# -- members: attendance, absence streaks, study -----------------------------------------------------------


UNITS_PER_PAGE = 20  # the units' figures are read per page (about 30 members each)


@login_required
def org_members(request, org_id):
    """A branch's members: absence streaks and study hours against the target (who is behind); above the
    branches, the organizations with those figures summed, each opening its own members."""
    scope = scope_for(request.user)
    org = _org(request, org_id)
    year = year_or_current(request)
    as_of = timezone.localdate()
    order = request.GET.get("order")
    rule = selectors.study_rule(year=year)
    if not org.is_basic:
        # A township or the county: one row per organization with members of its own, each opening that
        # organization's members (ranking a county's 20,000 members would read its ~1M attendance rows).
        units = selectors.progress_units(scope=scope, organization=org, as_of=as_of)
        page = paginate(request, units, per_page=UNITS_PER_PAGE)
        page.object_list = selectors.units_progress(
            units=list(page.object_list), year=year, as_of=as_of, target=rule.hours, channels=rule.channels
        )
        return render(
            request,
            "education/org_units_progress.html",
            {"org": org, "year": year, "as_of": as_of, "page": page, "target": rule.hours},
        )
    members = selectors.members_progress(
        channels=rule.channels,
        scope=scope,
        organization=org,
        year=year,
        as_of=as_of,
        order="study" if order == "study" else "absence",
    )
    page = paginate(request, members)
    record_url = id_url("education:member_record")
    hours_of = _("%(hours)s of %(target)s hours")
    target = floatformat(rule.hours, "-1")
    return render(
        request,
        "education/org_members.html",
        {
            "org": org,
            "year": year,
            "as_of": as_of,
            "page": page,
            # (member, its record's address, "hours of target"): made once per row here, not in the template
            "rows": [
                (
                    m,
                    record_url(m.pk),
                    hours_of % {"hours": floatformat(m.study_hours, "-1"), "target": target},
                )
                for m in page
            ],
            "target": rule.hours,
            "order": order or "absence",
            "can_write": scope.can_write(org),
        },
    )


@login_required
def member_record(request, member_id):
    scope = scope_for(request.user)
    member = member_get_for_user(user=request.user, pk=member_id)  # a member also sees their own
    return _render_member(request, member, can_write=scope.can_write(member.organization))


@login_required
def my_record(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404
    return _render_member(request, member, can_write=False)


def _render_member(request, member: Member, *, can_write: bool):
    year = year_or_current(request)
    as_of = timezone.localdate()
    rule = selectors.study_rule(year=year)
    annotated = selectors.member_stats(member=member, year=year, as_of=as_of, channels=rule.channels)
    history = selectors.member_attendance_history(member=member, limit=24)
    study = selectors.study_records_of(member=member, year=year)
    return render(
        request,
        "education/member_record.html",
        {
            "member": member,
            "stats": annotated,
            "no_life": selectors.no_organizational_life(annotated),
            "history": history,
            "study": paginate(request, study),
            "year": year,
            "target": rule.hours,
            "can_write": can_write,
        },
    )


@login_required
def study_create(request, org_id):
    scope = scope_for(request.user)
    org = _org(request, org_id, write=True)
    members = selectors.members_writable_in(scope=scope, organization=org)
    initial = {"member": request.GET.get("member")} if request.GET.get("member") else None
    form = StudyRecordForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.study_record_create(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The study record was saved."))
            if "another" in request.POST:
                return redirect(f"{reverse('education:study_create', args=[org.pk])}")
            return redirect("education:org_members", org_id=org.pk)
    return render(request, "education/study_form.html", {"form": form, "org": org})


# -- rules -------------------------------------------------------------------------------------------------------


@login_required
def rules(request):
    scope = scope_for(request.user)
    if not scope.sees_anything:
        raise Http404
    form = RequirementForm(request.POST or None)
    if request.method == "POST":
        if not scope.is_county:
            raise Http404
        if form.is_valid():
            try:
                services.requirement_change(by=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("The rule was changed; it applies from the date given."))
                return redirect("education:rules")
    return render(
        request,
        "education/rules.html",
        {
            "rules": load_rules(),
            "history": selectors.requirement_history(),
            "form": form,
            "can_change": scope.is_county,
        },
    )
