"""Regenerate and compile every zh_Hans catalogue: each app's own (run from inside the app folder) and the
root one for templates/ and config/. Run through `./dev messages`.

makemessages is called in-process after django.setup(): running `django-admin makemessages` inside an app
folder would import that folder's `demo.py` as the project's `demo` app and fail.

A string that moves from one app to another keeps its translation: before regenerating, every catalogue is
gathered into one compendium, and afterwards each catalogue's empty entries are filled from it (msgmerge
--compendium, exact matches only).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

APPS = [
    p.parent.parent.parent.parent.name
    for p in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")
    if p.parent.parent.parent.parent != ROOT
]
IGNORE = [".venv/*", "node_modules/*", "staticfiles/*", "var/*", "tests/*", "bench/*"]


def _catalogues() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


compendium = Path(tempfile.mkdtemp()) / "compendium.po"
subprocess.run(["msgcat", "--use-first", "-o", str(compendium), *map(str, _catalogues())], check=True)

for app in sorted(APPS):
    os.chdir(ROOT / app)
    call_command(
        "makemessages", locale=["zh_Hans"], ignore_patterns=["migrations/*"], no_obsolete=True, verbosity=0
    )
os.chdir(ROOT)
call_command(
    "makemessages",
    locale=["zh_Hans"],
    ignore_patterns=IGNORE + [f"{a}/*.*" for a in APPS],
    no_obsolete=True,
    verbosity=0,
)
for po in _catalogues():
    # An entry left empty by the move of its string from another app is filled from the compendium.
    subprocess.run(
        [
            "msgmerge",
            "--quiet",
            "--no-fuzzy-matching",
            "--compendium",
            str(compendium),
            "-o",
            str(po),
            str(po),
            str(po),
        ],
        check=True,
    )

call_command("compilemessages", locale=["zh_Hans"], ignore=[".venv", "node_modules"], verbosity=0)
print("catalogues:", ", ".join(sorted(APPS)), "+ root")
