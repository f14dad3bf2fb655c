from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from branches.selectors import scope_for
from notifications.selectors import unread_count, unread_recent

from . import selectors, selectors_branch

RECENT_NOTIFICATIONS = 5


@login_required
def home(request):
    """What the user is responsible for (by role), what is due, and their unread notifications."""
    scope = scope_for(request.user)
    as_of = timezone.localdate()
    summaries = selectors.organization_summaries(orgs=selectors.top_organizations(scope=scope), as_of=as_of)
    return render(
        request,
        "dashboard/home.html",
        {
            "summaries": summaries,
            "as_of": as_of,
            "member_id": selectors.own_member_id(user=request.user),
            "unread_count": unread_count(user=request.user),
            "recent": unread_recent(user=request.user, limit=RECENT_NOTIFICATIONS),
            "branch_homes": selectors_branch.branch_homes(user=request.user, as_of=as_of),
        },
    )
