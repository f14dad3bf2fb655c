import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()


def settle_heap() -> None:
    """Import every view and the base template, then move what the process holds at start (about 150,000
    objects) out of the garbage collector's sight (gc.freeze): it is never freed, and the collector's full passes
    over it cost a request 40–400 ms every few dozen requests (issue 14: measured in process on the large county,
    one full pass 432 ms before, 37–53 ms after). Young objects are collected as before."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from common.table_versions import code_version

    get_resolver().url_patterns  # noqa: B018  (imports every URLconf and view)
    get_template("base.html")
    code_version()  # the digest of our code the exact caches key on (read once per process)
    gc.collect()
    gc.freeze()


settle_heap()
