"""Put the admin access back in step with the roles (branches.admin_access): the groups 县委组织部 and
乡镇党委（只读） with exactly their permissions, every account in the groups its roles call for and no other,
is_staff following. `--check` only reports, and exits with status 1 when anything differs."""

from django.core.management.base import BaseCommand, CommandError

from branches.services import admin_access_sync


class Command(BaseCommand):
    help = "Give every county_admin account the group 县委组织部 and every township secretary the read-only group (and take them away when the role is gone)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report what differs; change nothing.")

    def handle(self, *args, check=False, **options):
        changes = admin_access_sync(apply=not check)
        for line in changes:
            self.stdout.write(line)
        if check and changes:
            raise CommandError(f"{len(changes)} difference(s) between the roles and the admin access.")
        self.stdout.write(self.style.SUCCESS(f"{len(changes)} change(s)." if not check else "In step."))
