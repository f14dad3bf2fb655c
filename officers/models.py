"""The three officers' (三员) visit logs and their follow-ups. The assignment itself (branches.OfficerAssignment)
stays in branches: it is a role with a period that the scope reads to give an officer read access.

The tables were created by branches (0003) and renamed to officers_* by officers 0001."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import OfficerAssignment, Organization


class VisitLog(models.Model):
    """An officer's guidance visit (走访/指导) to an assigned organization: what for and what was found."""

    assignment = models.ForeignKey(
        OfficerAssignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="visits"
    )
    # Denormalized from the assignment so that the scope filters visits like everything else.
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="officer_visits"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    purpose = models.CharField(_("purpose"), max_length=255)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit log")
        verbose_name_plural = _("visit logs")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["organization", "visited_on"])]

    def __str__(self):
        return f"{self.visited_on} {self.organization}"


class FollowUp(models.Model):
    """A follow-up from a visit (整改/跟进事项): what must happen, by when, and when it was done."""

    visit = models.ForeignKey(
        VisitLog, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(_("follow-up"), max_length=255)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("how it was done"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_on", "due_on", "pk"]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self):
        return self.description
