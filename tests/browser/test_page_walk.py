"""Walk every page as every role, on a desktop and on a phone, and fail on what a new user would trip over.

For each role: sign in, then visit the navigation's links and every same-origin link found on a visited page
(GET only, one URL per pattern: ids and query values do not make a new pattern; at most MAX_PAGES pages),
each page on the desktop and on the phone. A page fails on
- `status`: a link shown to that role that answers 404 (or any error status);
- `wide`: the page itself wider than the viewport (tables must scroll inside their card);
- `code`: an internal code where Chinese belongs (`taxi_free`, `2026-Q1`);
- `english`: an untranslated English word in the main content (codes, e-mails and acronyms aside);
- `console`: a JavaScript console error or page error.
Known current defects are listed in KNOWN with the issue item they belong to: they are expected (the test
passes today), and one that is no longer seen fails the test, so the list shrinks as they are fixed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from accountability import services as targets
from branches.models import OfficerAssignment, RoleAssignment
from care import services as care
from education import services as education
from education.models import MeetingKind
from members.idnumbers import make_id_number
from recruitment import services as recruitment
from tests.factories import (
    MemberFactory,
    UserFactory,
    make_branch,
    make_county,
    make_party_group,
    make_role,
    make_township,
)

pytestmark = pytest.mark.browser
Role = RoleAssignment.Role

MAX_PAGES = 70
# Not pages: files, feeds, printing dialogs, the language switch, sign-out, the admin (its own app).
SKIP = re.compile(
    r"^/(static|media|admin|i18n)/|^/accounts/logout|/export|/template\.|\.ics$|\.csv$|\.xlsx$|/performance\."
    r"|/attachments/\d+/$|[?&](format|fmt)="
)
ROLES = ["county", "township", "branch", "officer", "member"]


@dataclass(frozen=True)
class Finding:
    kind: str  # status, wide, code, english, console
    viewport: str
    pattern: str
    detail: str
    url: str
    referrer: str

    def __str__(self):
        return f"[{self.kind}/{self.viewport}] {self.url} ({self.detail}) — linked from {self.referrer}"


@dataclass(frozen=True)
class Known:
    kind: str
    pattern: str  # regex on the URL pattern
    detail: str  # regex on the finding's detail
    reason: str  # the issue item
    roles: tuple[str, ...] = tuple(ROLES)
    viewports: tuple[str, ...] = ("desktop", "phone")

    def matches(self, f: Finding) -> bool:
        return (
            f.kind == self.kind
            and f.viewport in self.viewports
            and re.search(self.pattern, f.pattern) is not None
            and re.search(self.detail, f.detail) is not None
        )


# Today's defects, each with the issue-15 item it belongs to. Remove an entry when its defect is fixed.
CODES = "issue 15, internal codes instead of Chinese"
KNOWN: list[Known] = []


IGNORED_KEYS = {"year", "page"}  # another year or page of the same list is not another page to check


def pattern_of(path_and_query: str) -> str:
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|\.|$)", "/<n>", parts.path)
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - IGNORED_KEYS)
    return path + ("?" + "&".join(keys) if keys else "")


# -- checks on a rendered page ------------------------------------------------------------------------------
MAIN_TEXT_JS = """(dropCode) => {
  const main = document.querySelector('main');
  if (!main) return '';
  const copy = main.cloneNode(true);
  copy.querySelectorAll('kbd, samp, script, style, select, textarea, [translate="no"]' + (dropCode ? ', code' : ''))
      .forEach(e => e.remove());
  const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return parts.join(' ');
}"""
LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b\d{4}-Q[1-4]\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{3,}")
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b[\w.-]*\.?(xlsx|csv|ics|pdf|docx?)\b", re.I)
# Words that are right in a Chinese page: the language switch names its language in that language.
ALLOWED_WORDS = {"English", "Ctrl", "Excel"}  # and the spreadsheet program a download is for
# Pages where <code> is the content: the import form lists each column's English key, accepted as a header.
CODES_ALLOWED = re.compile(r"^/imports/[\w-]+/$")


def text_findings(text: str) -> list[tuple[str, str]]:
    text = NOT_WORDS.sub(" ", text)
    out = [("code", m) for m in sorted(set(CODE.findall(text)))]
    stripped = CODE.sub(" ", text)
    words = sorted({w for w in WORD.findall(stripped) if not w.isupper() and w not in ALLOWED_WORDS})
    if words:
        out.append(("english", " ".join(words[:12])))
    return out


# -- data: a small county with something on every page -------------------------------------------------------
@dataclass
class County:
    users: dict[str, object]
    branch: object = None
    meeting: object = None


@pytest.fixture
def walk_county() -> County:
    today = timezone.localdate()
    county = make_county(code="C001")
    town_a = make_township(county, code="T-A", name="甲镇")
    town_b = make_township(county, code="T-B", name="乙镇")
    v1 = make_branch(town_a, code="B-A1", name="甲一村党支部")
    v2 = make_branch(town_a, code="B-A2", name="甲二村党支部")
    make_branch(town_b, code="B-B1", name="乙一村党支部")
    group = make_party_group(v1)

    users = {
        "county": UserFactory(email="county@example.com", name="周组织"),
        "township": UserFactory(email="township@example.com", name="吴书记"),
        "branch": UserFactory(email="branch@example.com", name="郑支书"),
        "officer": UserFactory(email="officer@example.com", name="冯联络"),
        "member": UserFactory(email="member@example.com", name="陈党员"),
    }
    make_role(users["county"], county, Role.COUNTY_ADMIN)
    make_role(users["township"], town_a, Role.TOWNSHIP_SECRETARY)
    make_role(users["branch"], v1, Role.BRANCH_SECRETARY)
    make_role(users["member"], v1, Role.MEMBER)
    # a plain row (as make_role does): the assigning service moves between apps in issue 8
    OfficerAssignment.objects.create(
        officer=users["officer"],
        organization=v1,
        kind=OfficerAssignment.Kind.LIAISON,
        starts_on=today - dt.timedelta(days=60),
    )

    people = [
        MemberFactory(organization=v1, name="陈党员", user=users["member"], party_group=group),
        MemberFactory(organization=v1, name="林老", birth_date=dt.date(1940, 3, 1), party_group=group),
        MemberFactory(organization=v1, name="何困难", hardship=True),
        MemberFactory(organization=v1, name="马预备", probationary=True, birth_date=dt.date(2000, 1, 1)),
        MemberFactory(organization=v1, name="罗一"),
        MemberFactory(organization=v2, name="梁二"),
    ]
    # 发展党员: an activist of v1, so that the person's page and its step forms are walked.
    candidate = recruitment.candidate_apply(
        organization=v1,
        name="赵积极",
        id_number=make_id_number("140303", dt.date(2000, 6, 1), 1, male=True),
        applied_on=today - dt.timedelta(days=100),
        by=users["branch"],
    )
    recruitment.step_record(
        candidate=candidate, kind="talk", on=today - dt.timedelta(days=90), by=users["branch"]
    )
    recruitment.step_record(
        candidate=candidate,
        kind="activist",
        on=today - dt.timedelta(days=60),
        people=[people[1], people[4]],
        by=users["branch"],
    )
    meeting = education.meeting_create(
        organization=v1,
        kinds=MeetingKind.objects.filter(code="general_meeting"),
        date=today,  # this period's ✓, whatever the day
        topic="学习党章",
        minutes="传达学习了党章。",
        by=users["branch"],
    )
    education.attendance_set(meeting=meeting, member_id=people[4].pk, status="absent", by=users["branch"])
    education.meeting_mark_held(meeting=meeting, by=users["branch"])
    care.member_record_illness(member=people[1], illness="高血压", since=today, by=users["branch"])

    group_ = targets.indicator_group_create(year=today.year, name="组织建设", position=1)
    targets.indicator_save(group=group_, name="三会一课", check_standard="按期召开", weight=Decimal("100"))
    c_town = targets.contract_create(parent=county, organization=town_a, year=today.year, by=users["county"])
    targets.contract_issue(contract=c_town, by=users["county"], on=today)
    c_v1 = targets.contract_create(parent=town_a, organization=v1, year=today.year, by=users["township"])
    targets.contract_issue(contract=c_v1, by=users["township"], on=today)
    targets.contract_sign(contract=c_v1, by=users["branch"], on=today)
    targets.contract_sign(contract=c_town, by=users["township"], on=today)
    for contract, reviewer in [(c_v1, users["township"]), (c_town, users["county"])]:
        targets.contract_evaluate(
            contract=contract,
            by=reviewer,
            on=today,
            scores={line.pk: (line.weight, "") for line in contract.lines.all()},
            vetoed=False,
            veto_reason="",
        )
    return County(users=users, branch=v1, meeting=meeting)


# -- the walk -----------------------------------------------------------------------------------------------
def _visit(browse, url: str, referrer: str, pattern: str) -> tuple[list[Finding], list[str]]:
    errors_before = len(browse.errors)
    findings: list[Finding] = []

    def add(kind, detail):
        findings.append(Finding(kind, browse.viewport, pattern, detail, url, referrer))

    response = browse.goto(url)
    status = response.status if response else 0
    if status >= 400:
        add("status", str(status))
        browse.errors[errors_before:] = [
            e for e in browse.errors[errors_before:] if f"status of {status}" not in e
        ]
    else:
        over = browse.horizontal_overflow()
        if over > 0:
            add("wide", f"{over}px wider than {browse.page.viewport_size['width']}")
        text = browse.page.evaluate(MAIN_TEXT_JS, bool(CODES_ALLOWED.search(pattern)))
        for kind, detail in text_findings(text):
            add(kind, detail)
    for error in browse.errors[errors_before:]:
        add("console", error)
    del browse.errors[errors_before:]
    links = browse.page.evaluate(LINKS_JS) if status < 400 else []
    return findings, links


def walk(desktop, phone, email: str) -> tuple[list[Finding], list[str]]:
    desktop.sign_in(email)
    phone.sign_in(email)
    origin = desktop.base_url
    # Two queues: links to a path not seen yet go first, variants of a seen path (other query keys) after.
    fresh: deque[tuple[str, str]] = deque([("/home/", "(start)")])
    variants: deque[tuple[str, str]] = deque()
    seen_paths: set[str] = set()
    seen_patterns: set[str] = set()
    visited: list[str] = []
    findings: list[Finding] = []
    while (fresh or variants) and len(visited) < MAX_PAGES:
        # mostly new paths, every third page a variant (a filter, a drill-down by query) while there are any
        take_variant = variants and (not fresh or len(visited) % 3 == 2)
        url, referrer = (variants if take_variant else fresh).popleft()
        pattern = pattern_of(url)
        if pattern in seen_patterns or SKIP.search(url):
            continue
        seen_patterns.add(pattern)
        seen_paths.add(pattern.split("?")[0])
        visited.append(url)
        for browse in (desktop, phone):
            page_findings, links = _visit(browse, url, referrer, pattern)
            findings += page_findings
        for link in links:
            if not link.startswith(origin):
                continue
            path = link.removeprefix(origin).split("#", 1)[0] or "/"
            new = pattern_of(path)
            if new not in seen_patterns:
                (variants if new.split("?")[0] in seen_paths else fresh).append((path, url))
    return findings, visited


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_page(new_browse, walk_county, role):
    desktop, phone = new_browse("desktop"), new_browse("phone")
    findings, visited = walk(desktop, phone, walk_county.users[role].email)
    known = [k for k in KNOWN if role in k.roles]
    for k in KNOWN:  # which roles meet which known defect: to keep KNOWN's role lists exact
        print(f"known for {role}: {any(k.matches(f) for f in findings)}: {k.reason}")
    unexpected = [f for f in findings if not any(k.matches(f) for k in known)]
    fixed = [k for k in known if not any(k.matches(f) for f in findings)]
    print(f"{role}: visited {len(visited)} pages:", *visited, sep="\n  ")
    report = [f"{role}: {len(visited)} pages"]
    if unexpected:
        report.append("New problems:")
        grouped: dict[tuple, list[Finding]] = {}
        for f in unexpected:
            grouped.setdefault((f.kind, f.url, f.referrer), []).append(f)
        for (kind, url, referrer), group in grouped.items():
            details = ", ".join(sorted({f.detail for f in group}))
            viewports = "+".join(sorted({f.viewport for f in group}))
            report.append(f"  [{kind}/{viewports}] {url}: {details} — linked from {referrer}")
    if fixed:
        report += ["Known defects no longer seen (fixed? remove them from KNOWN):"] + [
            f"  {k.reason}" for k in fixed
        ]
    assert not unexpected and not fixed, "\n".join(report)
