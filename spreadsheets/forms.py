from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("XLSX, or CSV in UTF-8 (with or without BOM). The first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not file.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return file
