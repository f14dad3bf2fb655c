"""Registries that collect one module from every installed app (`<app>.jobs`, `.nav`, `.panels`, `.importers`,
`.demo`) find them here, so that an app contributes by adding the module and no registry lists the apps."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_modules(submodule: str) -> Iterator[tuple[str, ModuleType]]:
    """(app name, module) for every installed app that has `<app>.<submodule>`, in INSTALLED_APPS order.
    An app without it is skipped; an import error inside the module is raised, not hidden."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, submodule):
            yield config.name, import_module(f"{config.name}.{submodule}")
