import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from branches.models import Organization
from tests.spreadsheets.files import csv_bytes, run, write, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "领域"]
TREE = [
    HEADER,
    # children before parents on purpose
    ["V01", "东村党支部", "T01", "党支部", "农村"],
    ["T01", "东镇党委", "C", "乡镇党委", "农村"],
    ["C", "示范县委", "", "县委", "机关"],
    ["G01", "县教育局党总支", "C", "党总支", "事业单位"],
    ["G01-1", "一中党支部", "G01", "党支部", "事业单位"],
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def import_rows(tmp_path, rows, name="orgs.csv", **kw):
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows, **kw)
    return run("import_orgs", write(tmp_path, name, content))


def test_import_builds_the_tree_with_parents_after_children(tmp_path, db):
    out, _err = import_rows(tmp_path, TREE)
    assert out.strip() == "orgs.csv: 5 row(s); created: 5, updated: 0, unchanged: 0"
    village = Organization.objects.get(code="V01")
    township = Organization.objects.get(code="T01")
    county = Organization.objects.get(code="C")
    assert village.parent == township and township.parent == county
    assert village.path == county.path + Organization.path_segment(township.pk) + Organization.path_segment(
        village.pk
    )
    assert village.kind == "branch" and village.sector == "rural"
    assert Organization.objects.get(code="G01").kind == "general_branch"


def test_reimport_changes_nothing_then_updates_and_moves(tmp_path, db):
    import_rows(tmp_path, TREE)
    history = Organization.history.count()
    out, _ = import_rows(tmp_path, TREE)
    assert Organization.history.count() == history
    assert "unchanged: 5" in out
    moved = [
        HEADER,
        ["T02", "西镇党委", "C", "乡镇党委", "农村"],
        ["V01", "东村党支部(新)", "T02", "党支部", "农村"],
    ]
    import_rows(tmp_path, moved)
    village = Organization.objects.get(code="V01")
    assert village.name == "东村党支部(新)"
    assert village.parent.code == "T02"
    assert village.path.startswith(Organization.objects.get(code="T02").path)


def test_moving_a_subtree_rewrites_descendant_paths(tmp_path, db):
    import_rows(tmp_path, TREE)
    import_rows(
        tmp_path,
        [HEADER, ["T02", "西镇党委", "C", "乡镇党委", "农村"], ["T01", "东镇党委", "C", "乡镇党委", "农村"]],
    )
    # A general branch under another township: its branch follows.
    import_rows(tmp_path, [HEADER, ["G01", "县教育局党总支", "T02", "党总支", "事业单位"]])
    school = Organization.objects.get(code="G01-1")
    assert school.path.startswith(Organization.objects.get(code="T02").path)
    assert school.depth == 3


def test_english_headers_and_xlsx(tmp_path, db):
    rows = [
        ["code", "name", "parent_code", "kind", "sector"],
        ["C", "县委", None, "county", "organ"],
        ["T1", "镇", "C", "township", "rural"],
    ]
    import_rows(tmp_path, rows, name="orgs.xlsx")
    assert Organization.objects.get(code="T1").parent.code == "C"


def test_bom_csv(tmp_path, db):
    import_rows(tmp_path, TREE, bom=True)
    assert Organization.objects.count() == 5


@pytest.mark.parametrize(
    ("rows", "row", "message"),
    [
        ([["V9", "村", "NOPE", "党支部", "农村"]], 3, "Unknown parent organization code “NOPE”"),
        (
            [["V9", "村", "", "党支部", "农村"]],
            3,
            "上级组织编码 (parent_code) is blank: only the county committee has no parent.",
        ),
        ([["V9", "村", "C", "党小组", "农村"]], 3, "组织类别: “党小组” is not one of"),
        ([["V9", "村", "C", "党支部", "城市"]], 3, "领域: “城市” is not one of"),
        ([["V9", "村", "V01", "党支部", "农村"]], 3, "A 党支部 cannot be placed under a 党支部 (V01)."),
        (
            [["V9", "村", "C", "党支部", "农村"], ["V9", "村", "C", "党支部", "农村"]],
            4,
            "The code V9 appears again (first in row 3).",
        ),
        ([["", "村", "C", "党支部", "农村"]], 3, "组织编码 (code) is required"),
    ],
)
def test_bad_rows_write_nothing(tmp_path, db, rows, row, message):
    import_rows(tmp_path, TREE)
    before = Organization.objects.count()
    good = [["T05", "好镇", "C", "乡镇党委", "农村"]]
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_orgs",
            write(tmp_path, "bad.csv", csv_bytes([HEADER, *good, *rows])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert f"Row {row}: {message}" in err.getvalue()
    assert Organization.objects.count() == before


def test_errors_go_to_stderr_with_row_numbers(tmp_path, db, capsys):
    rows = [HEADER, ["C", "县委", "", "县委", "机关"], ["X", "村", "NOPE", "党支部", "农村"]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_orgs", write(tmp_path, "o.csv", csv_bytes(rows)), stderr=err, stdout=io.StringIO()
        )
    assert "Row 3: Unknown parent organization code “NOPE”." in err.getvalue()
    assert not Organization.objects.exists()


def test_cycle_in_file_is_refused(tmp_path, db):
    rows = [
        HEADER,
        ["C", "县委", "", "县委", "机关"],
        ["A", "甲总支", "B", "党总支", "机关"],
        ["B", "乙党委", "A", "党委", "机关"],
    ]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_orgs", write(tmp_path, "o.csv", csv_bytes(rows)), stderr=err, stdout=io.StringIO()
        )
    assert "Row 3: The organization tree would have a cycle: A → B → A." in err.getvalue()
    assert "Row 4: The organization tree would have a cycle: B → A → B." in err.getvalue()
    assert not Organization.objects.exists()


def test_cycle_through_stored_tree_is_refused(tmp_path, db):
    import_rows(
        tmp_path,
        [
            HEADER,
            ["C", "县委", "", "县委", "机关"],
            ["P", "党委", "C", "党委", "机关"],
            ["G", "总支", "P", "党总支", "机关"],
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_orgs",
            write(tmp_path, "o.csv", csv_bytes([HEADER, ["P", "党委", "G", "党委", "机关"]])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "cycle" in err.getvalue() or "cannot be placed" in err.getvalue()
    assert Organization.objects.get(code="P").parent.code == "C"


def test_missing_required_column(tmp_path, db):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_orgs",
            write(tmp_path, "o.csv", csv_bytes([["组织编码", "组织名称"], ["C", "县委"]])),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert (
        "Row 1: Required columns are missing: 上级组织编码 (parent_code), 组织类别 (kind)." in err.getvalue()
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(b"", "o.csv", "The file is empty"), (b"not a workbook", "o.xlsx", "not a valid XLSX")],
)
def test_unreadable_file(tmp_path, db, content, name, message):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_orgs", write(tmp_path, name, content), stderr=err, stdout=io.StringIO())
    assert message in err.getvalue()
