"""党内统计: the annual party statistics of an organization's subtree on a day (issue 10, item 2).

Every figure counts the members on the roll of the organization's subtree on `as_of`
(members.selectors.living_on: admitted on or before that day, neither dead nor departed by it, transfers
dated after it undone), grouped as the national statistical bulletin groups them. One row for every
category, zeros included, always in the same order: `report_statistics` and the statistics page are the
same rows. Two queries whatever the size of the county: one aggregate over the members (a conditional
COUNT per category), one over the organizations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from branches.paths import subtree_q
from common import charts
from common.table_versions import cached_exactly

from .ages import years_before
from .models import Member
from .selectors import living_on

# The days a report can be asked for (the ages' thresholds go back 61 years from the first).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
COLUMNS = ["org_code", "measure", "category", "count"]  # report_statistics and the page's download


class StatisticsRow(NamedTuple):
    measure: str
    category: str
    count: int


# The measures in the order of the report, with their labels for the page.
MEASURES: dict[str, Any] = {
    "total": _("Members"),
    "status": _("Status"),
    "gender": _("Gender"),
    "ethnicity": _("Ethnicity"),
    "age_band": _("Age"),
    "admission_period": _("Admitted to the party"),
    "education": _("Education"),
    "occupation": _("Occupation"),
    "organizations": _("Organizations"),
}

HAN = ("汉族", "汉")  # 汉族 as the roster writes it (the default), or shortened

# Whole years on the report's day: (category, youngest age, oldest age or None).
AGE_BANDS = (
    ("30_and_under", None, 30),
    ("31_35", 31, 35),
    ("36_40", 36, 40),
    ("41_45", 41, 45),
    ("46_50", 46, 50),
    ("51_55", 51, 55),
    ("56_60", 56, 60),
    ("61_and_over", 61, None),
)

# By 入党日期: (category, first day or None, last day or None).
ADMISSION_PERIODS = (
    ("before_1949_10", None, dt.date(1949, 9, 30)),
    ("1949_10_to_1978_12", dt.date(1949, 10, 1), dt.date(1978, 12, 31)),
    ("1979_01_to_2012_10", dt.date(1979, 1, 1), dt.date(2012, 10, 31)),
    ("2012_11_on", dt.date(2012, 11, 1), None),
)

ORGANIZATION_KINDS = {
    "township_committee": Organization.Kind.TOWNSHIP,
    "party_committee": Organization.Kind.PARTY_COMMITTEE,
    "general_branch": Organization.Kind.GENERAL_BRANCH,
    "branch": Organization.Kind.BRANCH,
}

CATEGORY_LABELS: dict[tuple[str, str], Any] = {
    ("total", "all"): _("All members"),
    ("status", "full"): Member.Status.FULL.label,
    ("status", "probationary"): Member.Status.PROBATIONARY.label,
    ("gender", "male"): Member.Gender.MALE.label,
    ("gender", "female"): Member.Gender.FEMALE.label,
    ("ethnicity", "han"): _("Han"),
    ("ethnicity", "minority"): _("Ethnic minorities"),
    ("age_band", "30_and_under"): _("30 and under"),
    ("age_band", "61_and_over"): _("61 and over"),
    ("admission_period", "before_1949_10"): _("Before October 1949"),
    ("admission_period", "1949_10_to_1978_12"): _("October 1949 – December 1978"),
    ("admission_period", "1979_01_to_2012_10"): _("January 1979 – October 2012"),
    ("admission_period", "2012_11_on"): _("From November 2012"),
    **{("education", code): label for code, label in Member.Education.choices},
    ("education", "unknown"): _("Not recorded"),
    **{("occupation", code): label for code, label in Member.Occupation.choices},
    ("occupation", "unknown"): _("Not recorded"),
    **{("organizations", code): Organization.Kind(kind).label for code, kind in ORGANIZATION_KINDS.items()},
}


class Others:
    """A category that is every member in none of its measure's other categories (they never overlap): its
    count is the measure's remainder, not one more filter evaluated on every member."""


OTHERS = Others()
Category = tuple[str, str, Q | Others | None]


def _member_categories(as_of: dt.date) -> list[Category]:
    """(measure, category, filter) for every member figure, in the report's order (None: every member;
    OTHERS: the members in no other category of the measure)."""
    full = Q(full_member_on__isnull=False, full_member_on__lte=as_of)
    han = Q(ethnicity__in=HAN)
    categories: list[Category] = [
        ("total", "all", None),
        ("status", "full", full),
        ("status", "probationary", OTHERS),  # not full (no full-membership date, or a later one)
        ("gender", "male", Q(gender=Member.Gender.MALE)),
        ("gender", "female", Q(gender=Member.Gender.FEMALE)),
        ("ethnicity", "han", han),
        # Another recorded ethnicity; a blank one (not recorded) is counted in neither.
        ("ethnicity", "minority", ~han & ~Q(ethnicity="")),
    ]
    for code, youngest, oldest in AGE_BANDS:
        # age >= n  <=>  born on or before years_before(as_of, n) (members.ages: 29 February included)
        q = Q()
        if youngest is not None:
            q &= Q(birth_date__lte=years_before(as_of, youngest))
        if oldest is not None:
            q &= Q(birth_date__gt=years_before(as_of, oldest + 1))
        categories.append(("age_band", code, q))
    for code, first, last in ADMISSION_PERIODS:
        q = Q()
        if first is not None:
            q &= Q(admitted_on__gte=first)
        if last is not None:
            q &= Q(admitted_on__lte=last)
        categories.append(("admission_period", code, q))
    for field, measure, codes in (
        ("education_level", "education", Member.Education.values),
        ("occupation", "occupation", Member.Occupation.values),
    ):
        categories.extend((measure, code, Q(**{field: code})) for code in codes)
        categories.append((measure, "unknown", OTHERS))  # blank, or a code no longer offered
    return categories


# Everything party_statistics reads: its rows are cached exactly under these tables' versions.
TABLES = ("branches_organization", "members_member", "members_transfer")


def party_statistics(*, org: Organization, as_of: dt.date) -> list[StatisticsRow]:
    """The statistics of `org`'s subtree on `as_of`: (measure, category, count) for every category of the
    report, zeros included, in the report's order. From the cache while none of TABLES has been written
    (common.table_versions: one query; a county's are tens of thousands of members), else two queries more.

    Organizations are those under `org` (itself excluded), active and established on or before `as_of`
    (an organization without an establishment date counts)."""
    if as_of < FIRST_DAY:
        raise ValueError(f"as_of must be on or after {FIRST_DAY}")
    return cached_exactly(
        f"members:statistics:{org.pk}:{org.path}:{as_of.isoformat()}",
        tables=TABLES,
        compute=lambda: _party_statistics(org=org, as_of=as_of),
    )


def _party_statistics(*, org: Organization, as_of: dt.date) -> list[StatisticsRow]:
    categories = _member_categories(as_of)
    aggregates = {
        f"m{i}": Count("pk", filter=q) if isinstance(q, Q) else Count("pk")
        for i, (_measure, _category, q) in enumerate(categories)
        if not isinstance(q, Others)
    }
    # The county is the root of the only tree (branches: only the county has no parent): its subtree on any
    # day is every member, so the subtree-on-that-day test (a join to the organizations, the transfers after
    # the day) is left out for it.
    members = living_on(on=as_of, org=org if org.parent_id is not None else None)
    counts = members.order_by().aggregate(**aggregates)
    org_counts = (
        Organization.objects.filter(subtree_q(org, "", include_self=False), is_active=True)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
        .aggregate(**{code: Count("pk", filter=Q(kind=kind)) for code, kind in ORGANIZATION_KINDS.items()})
    )
    total = next(counts[f"m{i}"] for i, (_measure, _category, q) in enumerate(categories) if q is None)
    counted: dict[str, int] = {}  # per measure, the members in its filtered categories
    for i, (measure, _category, q) in enumerate(categories):
        if isinstance(q, Q):
            counted[measure] = counted.get(measure, 0) + counts[f"m{i}"]
    rows = [
        StatisticsRow(
            measure, category, total - counted.get(measure, 0) if isinstance(q, Others) else counts[f"m{i}"]
        )
        for i, (measure, category, q) in enumerate(categories)
    ]
    rows.extend(StatisticsRow("organizations", code, org_counts[code]) for code in ORGANIZATION_KINDS)
    return rows


def category_label(measure: str, category: str) -> str:
    if (measure, category) in CATEGORY_LABELS:
        return str(CATEGORY_LABELS[(measure, category)])
    if measure == "age_band":  # "31_35" …
        youngest, oldest = category.split("_")
        return gettext("%(youngest)s–%(oldest)s") % {"youngest": youngest, "oldest": oldest}
    return category


def statistics_records(*, org: Organization, rows: list[StatisticsRow]) -> list[list[Any]]:
    """The rows as the report writes them: org_code,measure,category,count."""
    return [[org.code, r.measure, r.category, r.count] for r in rows]


# -- the page: one table and one chart per measure ------------------------------------------------------

PIE_MEASURES = {"status", "gender", "ethnicity"}
HORIZONTAL_MEASURES = {"admission_period", "education", "occupation"}


@dataclass
class SectionRow:
    category: str
    label: str
    count: int
    share: float | None  # percent of the section's whole (members, or organizations), None when it is 0


@dataclass
class Section:
    measure: str
    label: str
    rows: list[SectionRow]
    chart: charts.Chart


def statistics_sections(rows: list[StatisticsRow]) -> tuple[int, list[Section]]:
    """The members counted and one section per measure after `total`, each with its table and chart."""
    by_measure: dict[str, list[StatisticsRow]] = {}
    for row in rows:
        by_measure.setdefault(row.measure, []).append(row)
    total = by_measure.pop("total")[0].count
    sections = []
    for measure, measure_rows in by_measure.items():
        whole = sum(r.count for r in measure_rows) if measure == "organizations" else total
        table = [
            SectionRow(
                category=r.category,
                label=category_label(measure, r.category),
                count=r.count,
                share=round(100 * r.count / whole, 1) if whole else None,
            )
            for r in measure_rows
        ]
        label = str(MEASURES[measure])
        chart_id = f"chart-{measure}"
        if measure in PIE_MEASURES:
            chart = charts.pie(id=chart_id, label=label, items=[(t.label, t.count) for t in table])
        else:
            chart = charts.bar(
                id=chart_id,
                label=label,
                categories=[t.label for t in table],
                series={label: [t.count for t in table]},
                horizontal=measure in HORIZONTAL_MEASURES,
            )
        sections.append(Section(measure=measure, label=label, rows=table, chart=chart))
    return total, sections
