from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.pagination import paginate

from . import selectors, services
from .forms import PreferencesForm
from .models import Delivery

PAGE_SIZE = 30


def _own_delivery(request, pk: int) -> Delivery:
    """The user's own delivery; someone else's is the same 404 as a missing one."""
    return selectors.delivery_get_own(user=request.user, pk=pk)


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = paginate(
        request, selectors.inbox_for(user=request.user, unread_only=unread_only), per_page=PAGE_SIZE
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
            "unread_count": selectors.unread_count(user=request.user),
        },
    )


@login_required
def open_delivery(request, pk: int):
    """Mark read and follow the notification's link (only links within this site)."""
    delivery = _own_delivery(request, pk)
    services.deliveries_mark_read(user=request.user, delivery_ids=[delivery.pk])
    if delivery.url and url_has_allowed_host_and_scheme(
        delivery.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(delivery.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, pk: int):
    delivery = _own_delivery(request, pk)
    services.deliveries_mark_read(user=request.user, delivery_ids=[delivery.pk])
    if request.htmx:
        delivery.refresh_from_db(fields=["read_at"])
        return render(request, "notifications/_read_badge.html", {"delivery": delivery})
    return redirect(request.POST.get("next") if _safe_next(request) else "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.deliveries_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:inbox")


def _safe_next(request) -> bool:
    nxt = request.POST.get("next")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.preferences_update(
            user=request.user,
            notification_frequency=form.cleaned_data["notification_frequency"],
            language=form.cleaned_data["language"],
        )
        response = redirect("notifications:preferences")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        from django.utils import translation

        with translation.override(user.language):
            messages.success(request, _("Your settings are saved."))
        return response
    return render(request, "notifications/preferences.html", {"form": form})
