"""The import contract: our apps stand in layers, and an import may only point to the same layer or down.

    common                                          framework pieces that know no domain
    users                                           accounts, invitations, sign-in
    branches                                        the organization tree, roles, the one Scope
    notifications                                   the outbox, digests, periodic jobs
    members                                         the roster
    education | care | accountability | officers | dues | recruitment | standing   the remedies, side by side: never importing each other
    dashboard, demo, spreadsheets                   the top: they read every app through the registries

Every import counts, at module level or inside a function: a lazy import does not make an upward edge
acceptable. Imports inside functions are listed in LAZY_IMPORTS with the reason each one is lazy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[set[str]] = [
    {"common"},
    {"users"},
    {"branches"},
    {"notifications"},
    {"members"},
    {"education", "care", "accountability", "officers", "dues", "recruitment", "standing"},
    {"dashboard", "demo", "spreadsheets"},
]
# Within this layer no app imports another.
SIDE_BY_SIDE = {"education", "care", "accountability", "officers", "dues", "recruitment", "standing"}
LEVEL = {app: i for i, layer in enumerate(LAYERS) for app in layer}

# "module:function -> imported module": why it is imported inside the function.
LAZY_IMPORTS: dict[str, str] = {}


def _python_files():
    for app in LEVEL:
        folder = ROOT / app
        if folder.is_dir():
            yield from (p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path):
    """(line, imported module, enclosing function or None) for every absolute import of one of our apps."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                if name.split(".")[0] in LEVEL:
                    found.append((child.lineno, name, function))
            visit(child, function)

    visit(tree, None)
    return found


def _app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_the_layers_name_every_app_of_ours():
    ours = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert ours <= set(LEVEL), f"apps missing from the layers: {sorted(ours - set(LEVEL))}"


def test_no_import_points_up_a_layer_or_between_the_remedies():
    wrong = []
    for path in _python_files():
        source = _app_of(path)
        for line, name, _function in _imports(path):
            target = name.split(".")[0]
            if target == source:
                continue
            if LEVEL[target] > LEVEL[source]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name} (a layer above {source})")
            elif source in SIDE_BY_SIDE and target in SIDE_BY_SIDE:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} imports {name} (remedies never import each other)"
                )
    assert not wrong, "\n".join(wrong)


def test_imports_inside_functions_are_listed_with_their_reason():
    lazy = set()
    for path in _python_files():
        for _line, name, function in _imports(path):
            if function is not None and name.split(".")[0] != _app_of(path):
                lazy.add(f"{_module_of(path)}:{function} -> {name}")
    unlisted = sorted(lazy - set(LAZY_IMPORTS))
    stale = sorted(set(LAZY_IMPORTS) - lazy)
    assert not unlisted, "imports inside functions without a reason in LAZY_IMPORTS:\n" + "\n".join(unlisted)
    assert not stale, "LAZY_IMPORTS lists imports that no longer exist:\n" + "\n".join(stale)


@pytest.mark.parametrize("app", sorted(SIDE_BY_SIDE))
def test_each_remedy_is_known(app):
    assert LEVEL[app] == LEVEL["education"]
