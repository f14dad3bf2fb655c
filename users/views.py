"""The account pages we change from allauth's: the e-mail page (issue 13, High 1)."""

from __future__ import annotations

from allauth.account.views import EmailView
from django.contrib import messages
from django.utils.translation import gettext as _


class VerifiedPrimaryEmailView(EmailView):
    """allauth's e-mail page, except that only a verified address can become the primary one.

    allauth lets an unverified address become primary while the account has no verified address, which is
    every account the office created: a member could then take the address the county was about to give a
    township secretary, and the import would have found "their" account. An added address becomes primary
    only by following the confirmation link sent to it (allauth makes a newly verified address primary when
    no other is)."""

    def _action_primary(self, request, *args, **kwargs):
        address = self._get_email_address(request)
        if address is not None and not address.verified:
            messages.error(
                request,
                _("Only a confirmed address can be made primary: follow the link we e-mailed to %(email)s.")
                % {"email": address.email},
            )
            return None
        return super()._action_primary(request, *args, **kwargs)


email = VerifiedPrimaryEmailView.as_view()
