from branches.commands import ImportCommand
from education.importers import MeetingImporter


class Command(ImportCommand):
    importer = MeetingImporter
    help = (
        "Import a historical 三会一课 ledger (xlsx or csv); with the optional 缺席人员 and 请假人员 columns the "
        "attendance is recorded per person. All rows or nothing; errors name the row."
    )
