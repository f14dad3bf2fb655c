from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.forms import OrganizationChoiceField, PartyGroupChoiceField
from branches.models import Organization, PartyGroup
from common.forms import BootstrapFormMixin, DateInput
from common.versions import VersionedFormMixin

from . import idnumbers, selectors
from .models import BranchOfficer, Member

DATE_FIELDS = ("birth_date", "admitted_on", "full_member_on", "probation_ends_on", "ill_since", "died_on")


class MemberForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """Create (with organization) or edit (without: an organization change is a transfer). Birth date and
    gender may be left blank: they are then read from the ID number; if given they must agree with it."""

    class Meta:
        model = Member
        fields = [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "education_level",
            "occupation",
            "organization",
            "party_group",
            "admitted_on",
            "full_member_on",
            "probation_ends_on",
            "phone",
            "address",
            "veteran_cadre",
            "hardship",
            "hardship_note",
            "illness",
            "ill_since",
            "is_mobile",
            "died_on",
        ]
        field_classes = {"organization": OrganizationChoiceField, "party_group": PartyGroupChoiceField}
        widgets = {name: DateInput() for name in DATE_FIELDS}
        # Neutral: a writer must not learn that a number belongs to a member elsewhere (issue 13, Medium 7).
        error_messages = {"id_number": {"unique": selectors.ID_NUMBER_UNAVAILABLE}}
        help_texts = {
            "id_number": _("18 characters; the last may be X. Birth date and gender are read from it."),
            "full_member_on": _("Blank while the member is probationary (预备党员)."),
            "probation_ends_on": _("Only if the probation was extended (延长预备期)."),
        }

    # Decided by an action of their own on the member page (转正, 延长预备期): shown, not edited, here.
    READ_ONLY_WHEN_EDITING = ("full_member_on", "probation_ends_on")

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        editing = self.instance.pk is not None
        if editing:
            # The full number is shown only by the recorded reveal (issue 13, Medium 6): the form shows the
            # mask, and the mask sent back means "unchanged"; a whole new number replaces it.
            self.stored_id_number = self.instance.id_number
            self.initial["id_number"] = idnumbers.mask(self.stored_id_number)
            self.fields["id_number"].help_text = _(
                "Shown masked; type the whole number only to correct it. Birth date and gender are read from it."
            )
            del self.fields["organization"]
            if not self.instance.died_on:
                del self.fields["died_on"]  # recorded through "record death"
            for name in self.READ_ONLY_WHEN_EDITING:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Recorded through its own action on the member page.")
            org_ids = [self.instance.organization_id]
            self.fields["party_group"].queryset = PartyGroup.objects.filter(
                organization_id__in=org_ids
            ).select_related("organization")
        else:
            del self.fields["died_on"]
            self.fields["organization"].queryset = scope.organizations(write=True).filter(
                kind__in=Organization.BASIC_KINDS
            )
            self.fields["party_group"].queryset = scope.filter(
                PartyGroup.objects.select_related("organization"), "organization", write=True
            )
        self.fields["birth_date"].required = False
        self.fields["gender"].required = False

    def clean_id_number(self):
        number = idnumbers.normalize(self.cleaned_data.get("id_number", ""))
        stored = getattr(self, "stored_id_number", None)
        if stored and number == idnumbers.mask(stored):
            return stored
        if number != stored:
            other = selectors.member_with_id_number_seen(
                scope=self.scope, number=number, exclude_pk=self.instance.pk
            )
            if other is not None:
                raise ValidationError(
                    _("%(name)s of %(org)s has this ID number already.")
                    % {"name": other.name, "org": other.organization.name},
                    code="unique",
                )
        return number

    def clean(self):
        data = super().clean()
        number = data.get("id_number") or ""
        try:
            idnumbers.validate_id_number(number)
        except ValidationError:
            return data  # the model's clean reports it on the ID field
        if not data.get("birth_date") and "birth_date" not in self.errors:
            data["birth_date"] = idnumbers.birth_date_of(number)
        if not data.get("gender"):
            data["gender"] = idnumbers.gender_of(number)
        return data


class TransferForm(BootstrapFormMixin, forms.Form):
    to_organization = OrganizationChoiceField(
        label=_("To organization"),
        queryset=Organization.objects.none(),
        help_text=_(
            "Any basic organization of the county; the receiving secretary sees the member from then on."
        ),
    )
    transferred_on = forms.DateField(label=_("Transferred on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args, member: Member, **kwargs):
        kwargs.setdefault("initial", {"transferred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = (
            Organization.objects.filter(kind__in=Organization.BASIC_KINDS, is_active=True)
            .exclude(pk=member.organization_id)
            .order_by("path")
        )


class DeathForm(BootstrapFormMixin, forms.Form):
    died_on = forms.DateField(label=_("Date of death"), widget=DateInput())


class DepartureForm(BootstrapFormMixin, forms.Form):
    departed_on = forms.DateField(label=_("Departed on"), widget=DateInput())
    departure_reason = forms.ChoiceField(label=_("Reason for leaving"), choices=Member.Departure.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("For example the receiving organization, or the decision and its number."),
    )


class ConfirmationForm(BootstrapFormMixin, forms.Form):
    """转正."""

    full_member_on = forms.DateField(label=_("Full member on"), widget=DateInput())
    confirmation_meeting = forms.CharField(
        label=_("Decided by"),
        max_length=255,
        help_text=_(
            "The branch general meeting that decided it: its date and subject, or its record number."
        ),
    )


class ProbationExtensionForm(BootstrapFormMixin, forms.Form):
    """延长预备期."""

    probation_extended_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    probation_ends_on = forms.DateField(label=_("Probation now ends on"), widget=DateInput())
    probation_extension_reason = forms.CharField(label=_("Reason"), max_length=255)


class CommitteeTermForm(BootstrapFormMixin, forms.Form):
    elected_on = forms.DateField(label=_("Elected on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Term ends on"),
        widget=DateInput(),
        required=False,
        help_text=_("Blank: 5 years for village and community branches, 3 years for others."),
    )


class OfficerForm(BootstrapFormMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none())
    position = forms.ChoiceField(label=_("Position"), choices=BranchOfficer.Position.choices)
    duty = forms.CharField(label=_("Responsibility"), max_length=100, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members


class BaseOfficerFormSet(forms.BaseFormSet):
    def __init__(self, *args, members=None, **kwargs):
        self.members = members
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "members": self.members}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        secretaries = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            member = form.cleaned_data["member"]
            if member.pk in seen:
                raise ValidationError(_("%(name)s is listed twice.") % {"name": member.name})
            seen.add(member.pk)
            secretaries += form.cleaned_data["position"] == BranchOfficer.Position.SECRETARY
        if secretaries > 1:
            raise ValidationError(_("A committee has one secretary."))

    def officers(self):
        return [
            (f.cleaned_data["member"], f.cleaned_data["position"], f.cleaned_data.get("duty", ""))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


OfficerFormSet = forms.formset_factory(OfficerForm, formset=BaseOfficerFormSet, extra=3, can_delete=True)
