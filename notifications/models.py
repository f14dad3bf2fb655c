"""The outbox: every message the system sends is a Delivery row with a unique key, inserted BEFORE sending.
A retried task or a second beat finds the row and sends nothing twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting to be sent now
        DIGEST = "digest", _("Waiting for digest")  # goes out in the user's daily/weekly digest
        SENDING = "sending", _("Sending")  # claimed by a worker
        SENT = "sent", _("Sent")
        DIGESTED = "digested", _("Sent in a digest")  # gathered into the digest Delivery `digest`
        SKIPPED = "skipped", _("Not e-mailed")  # user chose no e-mail: shown in the inbox only
        FAILED = "failed", _("Failed")
        # A worker stopped (killed, crashed) after claiming the row: the SMTP server may or may not have taken
        # the message. Never resent by itself; an operator checks and sends it again from the admin.
        UNKNOWN = "unknown", _("Outcome unknown")

    key = models.CharField(_("delivery key"), max_length=255, unique=True)  # what:whom:period
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    # Only for a message e-mailed by itself (inserted PENDING); one for a digest or the inbox only has none
    body_html = models.TextField(_("HTML"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # What the message is about, for grouping a digest by organization (none: about several or none)
    organization = models.ForeignKey(
        "branches.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)  # when a worker took it to send
    error = models.TextField(_("error"), blank=True)
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
        verbose_name=_("digest"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["user", "read_at"]),
        ]

    def __str__(self):
        return f"{self.key} → {self.user}"


class JobRun(models.Model):
    """One run of a periodic job for one day (for operators: what ran, when, how many messages)."""

    job = models.CharField(_("job"), max_length=100)
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created = models.PositiveIntegerField(_("messages created"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.job} {self.as_of}"
