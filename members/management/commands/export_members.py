import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.paths import subtree_q
from common.replica import reads_from_replica
from members.exports import members_export
from members.models import Member
from members.services import command_line_actor, members_export_recorded
from users.services import system_user


class Command(BaseCommand):
    help = (
        "Export the roster (deceased and departed members included) in the columns of import_members, for the whole county "
        "or one organization's subtree. CSV is written with a BOM so that Excel reads the Chinese text."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", help="organization code: export this organization and everything under it"
        )
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, **options):
        queryset = Member.objects.all()
        if options["org"]:
            org = Organization.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(_("Unknown organization code “%(code)s”.") % {"code": options["org"]})
            queryset = queryset.filter(subtree_q(org))
        fmt = options["format"]
        if fmt == "xlsx" and not options["output"]:
            raise CommandError(_("--output FILE is required for xlsx."))
        content, count = members_export(queryset=queryset, fmt=fmt)
        members_export_recorded(
            by=system_user(),
            count=count,
            detail=" ".join(filter(None, [command_line_actor("export_members"), options["org"]])),
        )
        if options["output"]:
            with open(options["output"], "wb") as fh:
                fh.write(content)
            self.stderr.write(
                _("%(count)d members written to %(file)s.") % {"count": count, "file": options["output"]}
            )
        else:
            self.stdout.flush()
            out = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(out, "buffer"):
                out.buffer.write(content)
            else:
                out.write(content.decode("utf-8-sig"))
