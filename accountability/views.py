"""Targets pages. Thin: objects are loaded through the scope (404 for outsiders), writes go through
accountability.services, reads through accountability.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import Organization
from branches.selectors import scope_or_404
from common.forms import add_service_errors
from common.links import id_url
from common.pagination import paginate
from common.params import id_param, year_or_current

from . import selectors, services
from .exports import csv_text, xlsx_bytes
from .forms import (
    AttachmentForm,
    ContractCreateForm,
    ContractLineFormSet,
    DeadlinesForm,
    DutyReportForm,
    DutyReportNewForm,
    EvaluationForm,
    IndicatorForm,
    IndicatorGroupForm,
    IssueAllForm,
    SelfEvaluationForm,
)
from .models import Contract, DutyReport, DutyReportAttachment

PAGE_SIZE = 50


def _scope(request):
    return scope_or_404(request.user)


def _county_only(request):
    scope = _scope(request)
    if not scope.is_county:
        raise Http404
    return scope


def _contract(request, pk: int, *, write: bool = False) -> Contract:
    return _scope(request).get_object_or_404(
        Contract.objects.select_related("parent", "organization", "grade", "signer", "parent_signer"),
        "organization",
        write=write,
        pk=pk,
    )


# -- indicator library ----------------------------------------------------------------------------
@login_required
def library(request, year: int):
    scope = _scope(request)
    lib = selectors.library_get(year=year)
    return render(
        request,
        "accountability/library.html",
        {"library": lib, "year": year, "can_edit": scope.is_county, "group_form": IndicatorGroupForm()},
    )


@login_required
@require_POST
def library_copy(request, year: int):
    _county_only(request)
    try:
        n = services.library_copy_forward(to_year=year)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(n)s indicators copied from %(year)s.") % {"n": n, "year": year - 1})
    return redirect("accountability:library", year=year)


@login_required
@require_POST
def group_new(request, year: int):
    _county_only(request)
    form = IndicatorGroupForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_group_create(year=year, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("accountability:library", year=year)


@login_required
def indicator_edit(request, year: int, pk: int | None = None):
    _county_only(request)
    indicator = None
    if pk is not None:
        indicator = selectors.indicator_get(year=year, pk=pk)
        if indicator is None:
            raise Http404
    form = IndicatorForm(request.POST or None, instance=indicator, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(indicator=indicator, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Indicator saved."))
            return redirect("accountability:library", year=year)
    return render(request, "accountability/indicator_form.html", {"form": form, "year": year})


@login_required
def deadlines(request, year: int):
    scope = _scope(request)
    obj = selectors.deadlines_get(year=year)
    form = DeadlinesForm(request.POST or None, instance=obj)
    if request.method == "POST":
        if not scope.is_county:
            raise Http404
        if form.is_valid():
            services.deadlines_set(year=year, **form.cleaned_data)
            messages.success(request, _("Deadlines saved."))
            return redirect("accountability:deadlines", year=year)
    return render(
        request, "accountability/deadlines.html", {"form": form, "year": year, "can_edit": scope.is_county}
    )


# -- contracts ------------------------------------------------------------------------------------
@login_required
def contracts(request):
    scope = _scope(request)
    year = year_or_current(request)
    status = request.GET.get("status", "")
    qs = selectors.contracts_listed(
        scope=scope, year=year, status=status if status in Contract.Status.values else ""
    )
    counts = selectors.contract_status_counts(scope=scope, year=year)
    return render(
        request,
        "accountability/contracts.html",
        {
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "year": year,
            "status": status,
            "statuses": [(s, label, counts.get(s, 0)) for s, label in Contract.Status.choices],
            "can_issue": selectors.organizations_issuing(user=request.user).exists(),
        },
    )


@login_required
def contract_new(request):
    scope = _scope(request)
    issuers = selectors.organizations_contracting(user=request.user)
    # Every organization the user may change is offered; the service says clearly why a pair that is
    # not parent and direct child cannot have a contract.
    partners = selectors.contract_partners(scope=scope)
    form = ContractCreateForm(
        request.POST or None, issuers=issuers, partners=partners, initial={"year": year_or_current(request)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Draft contract created."))
            return redirect("accountability:contract_detail", pk=contract.pk)
    return render(request, "accountability/contract_new.html", {"form": form})


@login_required
def contracts_issue_all(request):
    _scope(request)
    issuers = selectors.organizations_issuing(user=request.user)
    if not issuers.exists():
        raise Http404
    year = year_or_current(request)
    form = IssueAllForm(
        request.POST or None, issuers=issuers, initial={"year": year, "parent": issuers.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.contracts_issue_to_children(
                by=request.user, on=timezone.localdate(), **form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(n)s contracts issued.") % {"n": len(created)})
            return redirect(
                f"{_url('accountability:signing')}?year={form.cleaned_data['year']}"
                f"&issuer={form.cleaned_data['parent'].pk}"
            )
    library_total = selectors.library_total(year=year)
    return render(
        request, "accountability/issue_all.html", {"form": form, "year": year, "library_total": library_total}
    )


def _url(name, **kwargs):
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


@login_required
def contract_detail(request, pk: int):
    contract = _contract(request, pk)
    lines = list(selectors.contract_lines_of(contract=contract))
    user = request.user
    acts_parent = selectors.user_acts_for(user=user, organization=contract.parent)
    acts_child = selectors.user_acts_for(user=user, organization=contract.organization)
    return render(
        request,
        "accountability/contract_detail.html",
        {
            "contract": contract,
            "lines": lines,
            "acts_parent": acts_parent,
            "acts_child": acts_child,
            "total_weight": sum((line.weight for line in lines), services.ZERO),
        },
    )


@login_required
def contract_lines(request, pk: int):
    contract = _contract(request, pk, write=True)
    if contract.status != Contract.Status.DRAFT:
        raise Http404
    formset = ContractLineFormSet(
        request.POST or None, queryset=selectors.contract_lines_of(contract=contract), prefix="lines"
    )
    if request.method == "POST" and formset.is_valid():
        lines = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
        ]
        try:
            services.contract_lines_set(contract=contract, lines=lines, by=request.user)
        except ValidationError as e:
            formset._non_form_errors = formset.error_class(e.messages)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Indicators saved."))
            return redirect("accountability:contract_detail", pk=contract.pk)
    return render(request, "accountability/contract_lines.html", {"contract": contract, "formset": formset})


def _contract_action(request, pk: int, action) -> HttpResponse:
    contract = _contract(request, pk)
    try:
        action(contract)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    except PermissionDenied as e:
        messages.error(request, str(e) or _("You may not do this."))
    return redirect("accountability:contract_detail", pk=contract.pk)


@login_required
@require_POST
def contract_issue(request, pk: int):
    def act(c):
        services.contract_issue(contract=c, by=request.user, on=timezone.localdate())
        messages.success(request, _("Contract issued."))

    return _contract_action(request, pk, act)


@login_required
@require_POST
def contract_sign(request, pk: int):
    def act(c):
        services.contract_sign(contract=c, by=request.user, on=timezone.localdate())
        messages.success(request, _("Contract signed."))

    return _contract_action(request, pk, act)


def _evaluation_page(request, pk: int, *, reviewer: bool):
    contract = _contract(request, pk)
    side = contract.parent if reviewer else contract.organization
    if not selectors.user_acts_for(user=request.user, organization=side):
        raise Http404
    lines = list(selectors.contract_lines_of(contract=contract))
    form_class = EvaluationForm if reviewer else SelfEvaluationForm
    extra = {"contract": contract} if reviewer else {}
    form = form_class(request.POST or None, lines=lines, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            if reviewer:
                services.contract_evaluate(
                    contract=contract,
                    by=request.user,
                    on=timezone.localdate(),
                    scores=form.scores(),
                    vetoed=form.cleaned_data["vetoed"],
                    veto_reason=form.cleaned_data["veto_reason"],
                )
            else:
                services.contract_self_evaluate(
                    contract=contract, by=request.user, on=timezone.localdate(), scores=form.scores()
                )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Scores saved."))
            return redirect("accountability:contract_detail", pk=contract.pk)
    return render(
        request,
        "accountability/evaluation_form.html",
        {"contract": contract, "form": form, "reviewer": reviewer},
    )


@login_required
def contract_self_evaluation(request, pk: int):
    return _evaluation_page(request, pk, reviewer=False)


@login_required
def contract_evaluation(request, pk: int):
    return _evaluation_page(request, pk, reviewer=True)


# -- who has not signed, rankings, exports ---------------------------------------------------------
@login_required
def signing(request):
    """The county sees its townships (and how far each township's villages are); a township its villages."""
    scope = _scope(request)
    year = year_or_current(request)
    issuer = selectors.signing_issuer(scope=scope, issuer_id=request.GET.get("issuer"))
    if issuer is None:
        raise Http404
    qs = selectors.signing_overview(
        scope=scope, issuer=issuer, year=year, unsigned_only=bool(request.GET.get("unsigned"))
    )
    return render(
        request,
        "accountability/signing.html",
        {
            "issuer": issuer,
            "year": year,
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "unsigned": bool(request.GET.get("unsigned")),
            "Status": Contract.Status,
        },
    )


@login_required
def rankings(request):
    scope = _scope(request)
    year = year_or_current(request)
    parent_id = id_param(request.GET.get("parent"))
    parent = None
    if parent_id is not None:
        parent = scope.get_object_or_404(Organization.objects.all(), "", pk=parent_id)
    qs = selectors.contracts_ranked(scope=scope, year=year, parent_id=parent.pk if parent else None)
    page = paginate(request, qs, per_page=PAGE_SIZE)
    detail_url = id_url("accountability:contract_detail")
    return render(
        request,
        "accountability/rankings.html",
        {
            "page": page,
            # (contract, its address, whether its issuer's rankings may be opened): worked out once per row
            "rows": [(c, detail_url(c.pk), bool(c.parent) and scope.covers(c.parent)) for c in page],
            "year": year,
            "parent": parent,
            "bands": selectors.grade_bands(),
            "scope": scope,
        },
    )


PERFORMANCE_COLUMNS = [
    "secretary",
    "email",
    "role",
    "org_code",
    "organization",
    "year",
    "score",
    "vetoed",
    "veto_reason",
    "grade",
    "rank_in_parent",
    "rank_in_county",
    "duty_report",
]


@login_required
def performance_export(request, fmt: str):
    """实绩考核: the party-building part of each secretary's performance assessment, as csv or xlsx."""
    scope = _scope(request)
    if not scope.has_role(*selectors.SECRETARY_ROLES, "township_staff"):
        raise Http404
    year = year_or_current(request)
    rows = [
        [
            r.secretary,
            r.email,
            r.role,
            r.organization.code,
            r.organization.name,
            year,
            r.contract.score,
            "yes" if r.contract.vetoed else "no",
            r.contract.veto_reason,
            r.contract.grade.label if r.contract.grade else "",
            r.contract.rank_in_parent,
            r.contract.rank_in_county,
            r.duty_report,
        ]
        for r in selectors.performance_rows(scope=scope, year=year)
    ]
    return _table_response(PERFORMANCE_COLUMNS, rows, fmt=fmt, filename=f"performance-{year}")


def _table_response(header: list[str], rows: list[list], *, fmt: str, filename: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        # The byte-order mark lets Excel on Windows open the Chinese text correctly.
        response = HttpResponse("\ufeff" + csv_text(header, rows), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# -- duty reports (述职) ---------------------------------------------------------------------------
@login_required
def duty_reports(request):
    scope = _scope(request)
    year = year_or_current(request)
    state = request.GET.get("state", "")
    qs = selectors.duty_report_overview(scope=scope, year=year, state=state)
    return render(
        request,
        "accountability/duty_reports.html",
        {
            "page": paginate(request, qs, per_page=PAGE_SIZE),
            "year": year,
            "state": state,
            "deadlines": selectors.deadlines_get(year=year),
            # the button only for someone who has a report to write (an officer reads, never writes)
            "can_report": selectors.organizations_reporting_duty(user=request.user).exists(),
        },
    )


@login_required
def duty_report_new(request):
    _scope(request)
    organizations = selectors.organizations_reporting_duty(user=request.user)
    if not organizations.exists():
        raise Http404
    initial = {"year": year_or_current(request), "organization": request.GET.get("organization")}
    form = DutyReportNewForm(request.POST or None, organizations=organizations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.duty_report_save(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Report saved as a draft."))
            return redirect("accountability:duty_report_detail", pk=report.pk)
    return render(request, "accountability/duty_report_form.html", {"form": form})


def _duty_report(request, pk: int) -> DutyReport:
    return _scope(request).get_object_or_404(
        DutyReport.objects.select_related("organization", "author"), "organization", pk=pk
    )


@login_required
def duty_report_detail(request, pk: int):
    report = _duty_report(request, pk)
    return render(
        request,
        "accountability/duty_report_detail.html",
        {
            "report": report,
            "attachments": selectors.duty_report_attachments(report=report),
            "can_edit": not report.is_submitted
            and selectors.user_acts_for(user=request.user, organization=report.organization),
            "attachment_form": AttachmentForm(),
            "deadline": selectors.deadlines_get(year=report.year).duty_report_deadline,
        },
    )


@login_required
def duty_report_edit(request, pk: int):
    report = _duty_report(request, pk)
    if report.is_submitted or not selectors.user_acts_for(
        user=request.user, organization=report.organization
    ):
        raise Http404
    form = DutyReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_report_save(
                organization=report.organization,
                year=report.year,
                by=request.user,
                report=report,
                **form.cleaned_data,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Report saved."))
            return redirect("accountability:duty_report_detail", pk=report.pk)
    return render(request, "accountability/duty_report_form.html", {"form": form, "report": report})


@login_required
def duty_report_submit(request, pk: int):
    """Submitting cannot be undone: a GET, or a POST without `confirm`, shows what will be submitted and asks
    once more; only the confirmation's POST submits."""
    report = _duty_report(request, pk)
    if request.method != "POST" or not request.POST.get("confirm"):
        if report.is_submitted or not selectors.user_acts_for(
            user=request.user, organization=report.organization
        ):
            raise Http404
        return render(
            request,
            "accountability/duty_report_submit.html",
            {
                "report": report,
                "attachments": selectors.duty_report_attachments(report=report),
                "deadline": selectors.deadlines_get(year=report.year).duty_report_deadline,
            },
        )
    try:
        services.duty_report_submit(report=report, by=request.user)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    else:
        messages.success(request, _("Report submitted."))
    return redirect("accountability:duty_report_detail", pk=report.pk)


@login_required
@require_POST
def duty_attachment_upload(request, pk: int):
    report = _duty_report(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.duty_report_attach(report=report, by=request.user, upload=form.cleaned_data["file"])
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        else:
            messages.success(request, _("Attachment added."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("accountability:duty_report_detail", pk=report.pk)


def _attachment(request, pk: int) -> DutyReportAttachment:
    return _scope(request).get_object_or_404(
        DutyReportAttachment.objects.select_related("report__organization"), "report__organization", pk=pk
    )


@login_required
def duty_attachment_download(request, pk: int):
    """Served through the scope, never from a public media URL."""
    attachment = _attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


@login_required
@require_POST
def duty_attachment_delete(request, pk: int):
    attachment = _attachment(request, pk)
    report_pk = attachment.report_id
    try:
        services.duty_attachment_delete(attachment=attachment, by=request.user)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
    return redirect("accountability:duty_report_detail", pk=report_pk)
