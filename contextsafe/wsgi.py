import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contextsafe.settings")
application = get_wsgi_application()


def tune_garbage_collection() -> None:
    """A worker holds large, long-lived results (the partnership graph, kept maps and layers);
    every full pass of the cyclic collector walks them all and stalls the request that set it
    off (about 0.1 s at county scale, measured with bench/). What start-up made holds no
    garbage: freeze it out of the collector; and collect the young generation less often, since
    a map request allocates tens of thousands of short-lived objects (refcounting frees them)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


tune_garbage_collection()
