from django import forms
from django.utils.translation import gettext_lazy as _

from users.models import User


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notification_frequency", "language"]
        widgets = {"notification_frequency": forms.RadioSelect, "language": forms.RadioSelect}
        labels = {"notification_frequency": _("E-mail me"), "language": _("Language")}
        help_texts = {
            "notification_frequency": _(
                "Every notification is also kept on your notifications page. A daily digest arrives each "
                "morning; a weekly digest on Mondays."
            ),
        }
