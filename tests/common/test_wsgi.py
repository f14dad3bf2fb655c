"""config.wsgi leaves what the process holds at start out of the garbage collector's full passes."""

import gc
import importlib


def test_the_wsgi_module_freezes_the_heap_it_starts_with():
    gc.unfreeze()
    import config.wsgi

    importlib.reload(config.wsgi)
    try:
        assert gc.get_freeze_count() > 10_000
        assert callable(config.wsgi.application)
    finally:
        gc.unfreeze()
