import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")
application = get_wsgi_application()

# What is loaded by now (apps, models, every URLconf, imported here rather than on the first request)
# lives as long as the process. Frozen, the garbage collector's full passes skip it: unfrozen they walk
# ~230,000 objects (100-200 ms with every thread of the worker stalled) every few dozen API requests,
# which was most of the API's p99 under load (bench/api_load.py).
get_resolver().url_patterns  # noqa: B018
gc.freeze()
