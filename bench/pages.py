"""The pages users open, as (key, account, url name, what the url needs, query string, target class).

Resolved per database by `resolve()` (run inside Django, see bench/queries.py), so the same list serves the demo
and the large county. A page whose key begins with "county " and is marked SUMMARY is held to the looser target
for county-wide summaries; every other page to the page target (bench/targets.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE = "page"
SUMMARY = (
    "summary"  # county-wide summaries: the county home, the county's organization page, county compliance
)


@dataclass(frozen=True)
class Page:
    key: str
    account: str  # e-mail of a demo account (demo/services.py)
    url_name: str
    needs: str = ""  # "county" | "township" | "branch" | "meeting" | "member" | "" : the url's one argument
    params: dict = field(default_factory=dict)
    target: str = PAGE


COUNTY = "county@demo.local"
TOWNSHIP = "township@demo.local"
BRANCH = "branch@demo.local"

PAGES = [
    Page("county home", COUNTY, "dashboard:home", target=SUMMARY),
    Page("township home", TOWNSHIP, "dashboard:home"),
    Page("branch home", BRANCH, "dashboard:home"),
    Page("county organization page", COUNTY, "branches:detail", "county", target=SUMMARY),
    Page("branch organization page", BRANCH, "branches:detail", "branch"),
    Page("organization tree", COUNTY, "branches:list"),
    Page("organization tree, a level opened", COUNTY, "branches:tree_children", "township"),
    Page("member list (county)", COUNTY, "members:list"),
    Page("member search (county)", COUNTY, "members:list", params={"q": "王"}),
    Page("departed members (county)", COUNTY, "members:list", params={"departed": "yes"}),
    Page("member page", BRANCH, "members:detail", "member"),
    Page("compliance overview (county)", COUNTY, "education:compliance", target=SUMMARY),
    Page("compliance overview (township)", TOWNSHIP, "education:compliance"),
    Page("study hours (county)", COUNTY, "education:org_members", "county"),
    Page("study hours (branch)", BRANCH, "education:org_members", "branch"),
    Page("meetings list (county)", COUNTY, "education:meetings"),
    Page("meeting form", BRANCH, "education:meeting_create", params={"org": "{branch}"}),
    Page("attendance page", BRANCH, "education:meeting_attendance", "meeting"),
    Page("care page (branch)", BRANCH, "care:org", "branch"),
    Page("care eligible (county)", COUNTY, "care:eligible", "county"),
    Page("care grants (county)", COUNTY, "care:grants", "county"),
    Page("contracts", COUNTY, "accountability:contracts"),
    Page("rankings", COUNTY, "accountability:rankings"),
    Page("inbox", COUNTY, "notifications:inbox"),
    Page(
        "county dashboard, one quarter", COUNTY, "dashboard:org", "county", {"quarter": "1"}, target=SUMMARY
    ),
    Page("township dashboard", TOWNSHIP, "dashboard:org", "township"),
    Page("branch dashboard (members level)", COUNTY, "dashboard:org", "branch"),
    Page("missing meetings of a month", BRANCH, "education:compliance_missing", "branch", {"month": "3"}),
    Page("county statistics (党内统计)", COUNTY, "members:statistics", target=SUMMARY),
    Page("county dues totals", COUNTY, "dues:totals", "county", target=SUMMARY),
    Page("dues sheet (branch)", BRANCH, "dues:sheet", "branch"),
    Page("county recruitment pipeline", COUNTY, "recruitment:pipeline", target=SUMMARY),
    Page("recruitment pipeline (branch)", BRANCH, "recruitment:pipeline", params={"org": "{branch}"}),
    Page("notices", BRANCH, "standing:notices"),
    Page("suggestions (township)", TOWNSHIP, "standing:suggestions"),
]


def resolve() -> list[dict]:
    """Each page's path and query string on the current database (call after django.setup())."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from branches.models import Organization, RoleAssignment
    from education.models import Meeting
    from members.models import Member

    def org_of(email: str) -> Organization:
        return (
            RoleAssignment.objects.filter(user__email=email)
            .select_related("organization")
            .first()
            .organization
        )

    branch = org_of(BRANCH)
    objects = {
        "county": Organization.objects.get(kind=Organization.Kind.COUNTY),
        "township": org_of(TOWNSHIP),
        "branch": branch,
        "meeting": Meeting.objects.filter(organization=branch, status=Meeting.Status.HELD)
        .order_by("-date")
        .first(),
        "member": Member.objects.filter(organization=branch).order_by("pk").first(),
    }
    out = []
    for page in PAGES:
        path = reverse(page.url_name, args=[objects[page.needs].pk] if page.needs else None)
        params = {k: v.format(branch=branch.pk) for k, v in page.params.items()}
        out.append(
            {
                "key": page.key,
                "account": page.account,
                "url": path + ("?" + urlencode(params) if params else ""),
                "target": page.target,
            }
        )
    return out
