"""Registries that collect one module from every installed app (`<app>.jobs`, `.nav`, `.panels`, `.importers`,
`.demo`) find them here, so that an app contributes by adding the module and no registry lists the apps."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule

# What was found, by (submodule, the installed apps): the search stats the file system for every app, and the
# navigation and the panels ask on every page (issue 14). Keyed by the installed apps so that a changed
# INSTALLED_APPS (override_settings in a test) searches again; an import error is raised, never remembered.
_found: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, ModuleType], ...]] = {}


def app_modules(submodule: str) -> Iterator[tuple[str, ModuleType]]:
    """(app name, module) for every installed app that has `<app>.<submodule>`, in INSTALLED_APPS order.
    An app without it is skipped; an import error inside the module is raised, not hidden."""
    configs = list(apps.get_app_configs())
    key = (submodule, tuple(config.name for config in configs))
    found = _found.get(key)
    if found is None:
        found = tuple(
            (config.name, import_module(f"{config.name}.{submodule}"))
            for config in configs
            if module_has_submodule(config.module, submodule)
        )
        _found[key] = found
    return iter(found)
