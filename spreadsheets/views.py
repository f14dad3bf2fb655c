"""Browser imports: pick a kind → upload → preview (every error with its row number; nothing written) →
confirm (all-or-nothing). The upload is stored (ImportUpload) so that confirm applies the very file that was
previewed. Uploads belong to their uploader: anybody else gets 404. Each import checks the uploader's scope
row by row (a township secretary's rows for other townships are errors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.selectors import scope_for
from common.spreadsheets.importing import SUMMARY_LABELS, ImportReport, run_import
from common.spreadsheets.registry import get_importer, importers_for
from common.spreadsheets.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, write_csv, write_xlsx

from . import services
from .forms import UploadForm
from .models import ImportUpload
from .selectors import upload_get_own, uploads_recent


def _importer_or_404(request, kind: str):
    scope = scope_for(request.user)
    importer_cls = get_importer(kind)
    if importer_cls is None or not importer_cls.allowed(scope):
        raise Http404
    return importer_cls, scope


@login_required
def import_index(request):
    scope = scope_for(request.user)
    kinds = importers_for(scope)
    if not kinds:
        raise Http404
    uploads = uploads_recent(user=request.user)
    return render(request, "spreadsheets/index.html", {"kinds": kinds, "uploads": uploads})


@login_required
def import_upload(request, kind: str):
    importer_cls, _scope = _importer_or_404(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = services.upload_create(user=request.user, kind=kind, file=form.cleaned_data["file"])
        return redirect("spreadsheets:preview", pk=upload.pk)
    return render(request, "spreadsheets/upload.html", {"importer": importer_cls, "form": form})


def _run(request, upload: ImportUpload, *, commit: bool) -> tuple[type, ImportReport]:
    importer_cls, scope = _importer_or_404(request, upload.kind)
    importer = importer_cls(user=request.user, scope=scope)
    with upload.file.open("rb") as fh:
        report = run_import(importer, fh, name=upload.original_name, commit=commit)
    return importer_cls, report


@login_required
def import_preview(request, pk: int):
    upload = upload_get_own(user=request.user, pk=pk)
    if upload.applied_at:
        importer_cls, _scope = _importer_or_404(request, upload.kind)
        return render(
            request,
            "spreadsheets/result.html",
            {
                "upload": upload,
                "importer": importer_cls,
                "summary": _summary(upload.result.get("summary", {})),
            },
        )
    if "preview" not in upload.result:
        if not upload.file:  # abandoned and purged: the file is gone
            messages.info(request, _("This upload has expired: please upload the file again."))
            return redirect("spreadsheets:upload", kind=upload.kind)
        _cls, report = _run(request, upload, commit=False)
        services.upload_record_preview(upload=upload, report=report)
    importer_cls, _scope = _importer_or_404(request, upload.kind)
    return render(
        request,
        "spreadsheets/preview.html",
        {"upload": upload, "importer": importer_cls, "preview": upload.result["preview"]},
    )


def _summary(summary: dict) -> list[tuple[str, int]]:
    return [(str(SUMMARY_LABELS.get(k, k)), v) for k, v in summary.items()]


@login_required
@require_POST
def import_confirm(request, pk: int):
    upload_get_own(user=request.user, pk=pk)
    with transaction.atomic():
        # The row lock makes a double click apply the file once (PostgreSQL; SQLite serializes writes).
        upload = ImportUpload.objects.select_for_update().filter(pk=pk, applied_at__isnull=True).first()
        if upload is None:
            messages.info(request, _("This file was imported already."))
            return redirect("spreadsheets:preview", pk=pk)
        if not upload.file:
            messages.info(request, _("This upload has expired: please upload the file again."))
            return redirect("spreadsheets:upload", kind=upload.kind)
        _cls, report = _run(request, upload, commit=True)
        upload.result = report.as_json()
        upload.row_count, upload.error_count = len(report.rows), len(report.errors)
        if report.applied:
            upload.applied_at = timezone.now()
        upload.save(update_fields=["result", "row_count", "error_count", "applied_at"])
        if report.applied:
            services.upload_release_file(upload=upload)
    if not report.applied:
        messages.error(request, _("Nothing was imported: the file has errors."))
    else:
        messages.success(request, _("The file was imported."))
    return redirect("spreadsheets:preview", pk=pk)


@login_required
def import_template(request, kind: str, fmt: str):
    importer_cls, _scope = _importer_or_404(request, kind)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    headers = importer_cls.headers()
    if fmt == "xlsx":
        content, content_type = (
            write_xlsx(headers, [], sheet_title=str(importer_cls.label)),
            XLSX_CONTENT_TYPE,
        )
    else:
        content, content_type = write_csv(headers, []), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response
