"""Issue 9: attendance is recorded, not derived. Until now a held meeting's pages listed its recorded rows
plus everyone the roster *now* says should have attended (present by default). This records exactly that
view as rows, so nothing visible changes for old records; from now on the rows alone are the record.

The rule below is the one the pages applied until this migration (frozen here on purpose: a migration must
not follow later changes of members.selectors): members of the organization (of the party group for a group
meeting, of the committee for a committee meeting alone) admitted by the date and not dead by it.
Imported ledgers without names (应到/实到 numbers only) keep their numbers and get no rows.
"""

from django.db import migrations
from django.db.models import Q


def record(apps, schema_editor):
    Meeting = apps.get_model("education", "Meeting")
    Attendance = apps.get_model("education", "Attendance")
    Member = apps.get_model("members", "Member")
    BranchOfficer = apps.get_model("members", "BranchOfficer")
    meetings = (
        Meeting.objects.filter(status="held")
        .exclude(source="imported")
        .prefetch_related("kinds")
        .order_by("pk")
    )
    for meeting in meetings.iterator(chunk_size=500):
        date = meeting.date
        expected = Member.objects.filter(
            Q(admitted_on__lte=date) & (Q(died_on__isnull=True) | Q(died_on__gt=date))
        )
        codes = {k.code for k in meeting.kinds.all()}
        if meeting.party_group_id:
            expected = expected.filter(party_group_id=meeting.party_group_id)
        elif codes == {"committee_meeting"}:
            committee = BranchOfficer.objects.filter(
                term__organization_id=meeting.organization_id,
                term__elected_on__lte=date,
                term__ends_on__gt=date,
            ).values("member_id")
            expected = expected.filter(organization_id=meeting.organization_id, pk__in=committee)
        else:
            expected = expected.filter(organization_id=meeting.organization_id)
        recorded = Attendance.objects.filter(meeting_id=meeting.pk).values("member_id")
        missing = expected.exclude(pk__in=recorded).values_list("pk", flat=True)
        Attendance.objects.bulk_create(
            [Attendance(meeting_id=meeting.pk, member_id=pk, status="present") for pk in missing],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0003_attendance_recorded_history"),
        ("members", "0004_labels"),
    ]

    operations = [migrations.RunPython(record, migrations.RunPython.noop)]
