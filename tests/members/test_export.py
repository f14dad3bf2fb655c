import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command

from branches.models import Organization, PartyGroup
from members.models import Member, Transfer
from tests.factories import MemberFactory, make_party_group
from tests.spreadsheets.files import write

pytestmark = pytest.mark.django_db

ROSTER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "organization__code",
    "party_group__name",
    "admitted_on",
    "full_member_on",
    "phone",
    "veteran_cadre",
    "hardship",
    "died_on",
    "departed_on",
    "departure_reason",
    "education_level",
    "occupation",
]


def roster():
    return sorted(Member.objects.values_list(*ROSTER_FIELDS))


def org_file(tmp_path) -> str:
    lines = ["组织编码,组织名称,上级组织编码,组织类别,领域"]
    for org in Organization.objects.select_related("parent").order_by("path"):
        kind = {"county": "县委", "township": "乡镇党委", "branch": "党支部"}[org.kind]
        lines.append(f"{org.code},{org.name},{org.parent.code if org.parent else ''},{kind},{org.sector}")
    return write(tmp_path, "orgs.csv", "\n".join(lines).encode())


def make_roster(branch_a1, branch_a2, branch_b1):
    group = make_party_group(branch_a1, "东头党小组")
    MemberFactory(
        organization=branch_a1,
        party_group=group,
        name="张一",
        veteran_cadre=True,
        ethnicity="回族",
        education_level=Member.Education.COLLEGE,
        occupation=Member.Occupation.FARMER,
    )
    MemberFactory(organization=branch_a1, name="李二", probationary=True, phone="", hardship=True)
    MemberFactory(
        organization=branch_a2,
        name="王三",
        gender="female",
        birth_date=dt.date(1948, 2, 29),
        admitted_on=dt.date(1970, 7, 1),
        full_member_on=dt.date(1971, 7, 1),
    )
    MemberFactory(organization=branch_b1, name="赵四", died_on=dt.date(2023, 3, 1))
    MemberFactory(
        organization=branch_b1,
        name="钱五",
        departed_on=dt.date(2024, 4, 1),
        departure_reason=Member.Departure.TRANSFERRED_OUT,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_empty_site_gives_same_roster(tmp_path, branch_a1, branch_a2, branch_b1, fmt):
    make_roster(branch_a1, branch_a2, branch_b1)
    before = roster()
    orgs = org_file(tmp_path)
    out_file = str(tmp_path / f"roster.{fmt}")
    call_command("export_members", "--format", fmt, "--output", out_file, stderr=io.StringIO())
    # An empty site.
    Transfer.objects.all().delete()
    Member.objects.all().delete()
    PartyGroup.objects.all().delete()
    for org in Organization.objects.order_by("-depth"):
        org.delete()
    assert not Organization.objects.exists()
    call_command("import_orgs", orgs, stdout=io.StringIO())
    call_command("import_members", out_file, stdout=io.StringIO())
    assert roster() == before
    # and the same file again changes nothing
    history = Member.history.count()
    call_command("import_members", out_file, stdout=io.StringIO())
    assert Member.history.count() == history


def test_export_one_org_subtree_to_stdout(branch_a1, branch_a2, branch_b1):
    make_roster(branch_a1, branch_a2, branch_b1)
    out = io.StringIO()
    call_command("export_members", "--org", "T-A", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0].startswith("姓名,性别,民族,出生日期,公民身份号码")
    rows = {row["姓名"]: row for row in csv.DictReader(io.StringIO(text))}
    assert sorted(rows) == sorted(["张一", "李二", "王三"])  # T-A's subtree; 赵四 is in another township
    assert rows["王三"]["出生日期"] == "1948-02-29"
    assert (rows["张一"]["老干部"], rows["王三"]["老干部"]) == ("是", "否")
    assert text.splitlines()[0].endswith("去世日期,离开日期,离开原因,学历,职业")
    assert (rows["张一"]["学历"], rows["张一"]["职业"]) == ("大学专科", "农牧渔民")
    assert (rows["李二"]["学历"], rows["李二"]["职业"]) == ("", "")  # not recorded


def test_export_writes_the_departure_in_chinese(branch_a1, branch_a2, branch_b1):
    make_roster(branch_a1, branch_a2, branch_b1)
    out = io.StringIO()
    call_command("export_members", "--org", "T-B", stdout=out)
    [departed] = [line for line in out.getvalue().splitlines() if line.startswith("钱五")]
    assert departed.endswith(",2024-04-01,转出,,")  # then 学历 and 职业, not recorded
