"""common.discovery: how the registries (jobs, nav, panels, importers, demo) find each app's module."""

import sys

import pytest
from django.conf import settings
from django.test import override_settings

from common.discovery import app_modules


def test_the_apps_that_have_the_module_in_installed_order():
    found = [name for name, _module in app_modules("nav")]
    assert {"members", "education", "care", "accountability"} <= set(found)
    order = [app for app in settings.INSTALLED_APPS if app in found]
    assert found == order


def test_the_module_itself_is_given():
    modules = dict(app_modules("jobs"))
    assert modules["education"].__name__ == "education.jobs"


def test_no_app_has_it():
    assert list(app_modules("no_such_module")) == []


@pytest.fixture
def fake_app(tmp_path, monkeypatch):
    package = tmp_path / "fake_app_for_discovery"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "broken.py").write_text("import no_such_package_anywhere  # noqa\n")
    (package / "plain.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_app_for_discovery"
    for name in [m for m in sys.modules if m.startswith("fake_app_for_discovery")]:
        del sys.modules[name]


def test_an_import_error_inside_the_module_is_not_hidden(fake_app):
    with override_settings(INSTALLED_APPS=["django.contrib.contenttypes", fake_app]):
        assert [(name, m.VALUE) for name, m in app_modules("plain")] == [(fake_app, 1)]
        with pytest.raises(ModuleNotFoundError, match="no_such_package_anywhere"):
            list(app_modules("broken"))
