"""Seed the admin groups (issue 10): 县委组织部 for every county_admin account and 乡镇党委（只读） for every
township secretary, with their permissions (branches.admin_access); is_staff follows the roles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from branches.admin_access import groups_seed, memberships_sync


def seed(apps, schema_editor):
    # The permissions are made after all migrations (post_migrate); the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_seed(
        group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission")
    )
    memberships_sync(
        user_model=apps.get_model("users", "User"),
        group_model=apps.get_model("auth", "Group"),
        role_model=apps.get_model("branches", "RoleAssignment"),
    )


def unseed(apps, schema_editor):
    from branches.admin_access import ROLE_GROUPS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0004_visitlog_followup_move_to_officers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("users", "0002_user_name_label"),
        ("members", "0005_departures_confirmation"),
        ("spreadsheets", "0002_random_upload_names"),
        ("notifications", "0004_delivery_status_unknown"),
        ("education", "0004_record_shown_attendance"),
        ("care", "0005_merge_grant_check_and_policy_sector"),
        ("accountability", "0003_labels"),
        ("officers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
