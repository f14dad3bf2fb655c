from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from branches.models import Organization
from branches.selectors import organization_top, scope_for, scope_or_404
from common.links import id_url
from common.pagination import paginate
from common.params import year_param
from common.replica import reads_from_replica
from common.table_versions import cached_exactly
from notifications.selectors import unread_count, unread_recent

from . import charts, selectors, selectors_branch

RECENT_NOTIFICATIONS = 5
HEAT_ROWS = 30  # the worst organizations of the heat map; a township's page shows its own
QUARTERS = ("1", "2", "3", "4")


@login_required
def home(request):
    """The county office and township secretaries: the dashboard of their organization (read from the replica
    when there is one). Everyone else: what they are responsible for (by role), what is due, and their unread
    notifications (from the primary: what they have just recorded shows at once)."""
    scope = scope_for(request.user)
    if scope.is_township_or_above:
        org = organization_top(scope=scope)
        if org is not None:
            return reads_from_replica(_dashboard)(request, scope=scope, org=org)
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


@login_required
@reads_from_replica
def organization(request, org_id):
    """One level of the drill-down (county → township → organization → member), state in the URL."""
    scope = scope_or_404(request.user)
    org = scope.get_object_or_404(Organization.objects.all(), "", pk=org_id)
    return _dashboard(request, scope=scope, org=org)


def _window(request) -> selectors.Window:
    today = timezone.localdate()
    quarter = request.GET.get("quarter")
    return selectors.window_for(
        year=year_param(request) or today.year,
        quarter=int(quarter) if quarter in QUARTERS else None,
        today=today,
    )


def _dashboard(request, *, scope, org: Organization):
    """The figures (headline, league table, heat map, charts) are a function of the dashboard's figures, the
    window and the language only: their HTML is kept in the cache under the versions of the tables the figures
    are read from (selectors.TABLES), so a page whose figures have not changed renders only its frame."""
    window = _window(request)
    state = {"year": window.year, **({"quarter": window.quarter} if window.quarter else {})}
    query = urlencode(state)
    d = SimpleLazyObject(lambda: selectors.dashboard(org=org, scope=scope, window=window))
    # a changed template is a new code_version (common.table_versions): never served stale
    figures = cached_exactly(
        f"{selectors.dashboard_key(org=org, scope=scope, window=window)}:html",
        tables=selectors.TABLES,
        compute=lambda: _figures_html(d=d, window=window, query=query),
    )
    members = None
    if org.kind in Organization.BASIC_KINDS:
        members = paginate(request, selectors.dashboard_members(d=d, scope=scope))
        # plain rows, their links made once (common.links): a page of model instances and their lookups in the
        # template were a large part of the members level
        members.object_list = selectors.dashboard_member_rows(d=d, members=list(members.object_list))
        member_url = id_url("members:detail")
        for m in members.object_list:
            m["detail_url"] = member_url(m["pk"])
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "d": d,
            "org": org,
            "window": window,
            "query": query,
            "crumbs": selectors.breadcrumbs(org=org, scope=scope),
            "figures": mark_safe(figures),  # rendered by the template engine, escaped there
            "years": [window.year - 1, window.year, window.year + 1],
            "quarters": [1, 2, 3, 4],
            "members": members,
            "unread_count": unread_count(user=request.user),
        },
    )


def _figures_html(*, d: selectors.Dashboard, window: selectors.Window, query: str) -> str:
    # Each address reversed once, an organization's id then put in the placeholder's place: a county's page
    # links a hundred children twice and thirty organizations' months (reverse() per link was 5% of it).
    org_url = id_url("dashboard:org")
    missing_url = id_url("education:compliance_missing")

    def child_url(org_id: int) -> str:
        return f"{org_url(org_id)}?{query}"

    def cell_url(org_id: int, month: int) -> str:
        return f"{missing_url(org_id)}?year={window.year}&month={month}"

    return render_to_string(
        "dashboard/_figures.html",
        {
            "d": d,
            "charts": charts.dashboard_charts(d, child_url=child_url, cell_url=cell_url, heat_rows=HEAT_ROWS),
            "children": [(c, child_url(c.org_id)) for c in d.children],
            "heat": [
                (h, [(m, h.cells.get(m), cell_url(h.org_id, m)) for m in d.heat_months])
                for h in d.heat[:HEAT_ROWS]
            ],
            "heat_more": max(0, len(d.heat) - HEAT_ROWS),
        },
    )
