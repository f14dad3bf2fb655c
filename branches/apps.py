from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .admin_access import groups_seed


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = _("Organizations")

    def ready(self):
        post_migrate.connect(_groups_refresh, dispatch_uid="branches_admin_groups_refresh")


def _groups_refresh(sender, **kwargs):
    """Once every app's permissions exist (after the last app's post_migrate: auth creates each app's
    permissions in its own receiver, which runs after this one), the managed admin groups get the permissions
    of apps added since branches.0005, so that a new app needs no migration of ours. Idempotent, a few queries."""
    if sender is not list(apps.get_app_configs())[-1]:
        return
    from django.contrib.auth.models import Group, Permission  # the app registry is ready only now

    groups_seed(group_model=Group, permission_model=Permission)
