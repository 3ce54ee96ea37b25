"""Settings of the gunicorn workers that bench/api_load.py starts: production's, plus the bench's URLconf.

The bench sets in the workers' environment what production requires (a secret key, the role passwords,
the services) and what a load test needs: plain HTTP on loopback, raised API rate limits, mail to the
dummy backend, its own Celery queue. Everything else (DEBUG off, persistent database connections,
middleware, row-level security as the app role) is production's.
"""

import os

from ecosystem.settings.production import *  # noqa: F403

# The product's URLs and the hand-written comparison views (bench/load_views.py); never the product's URLconf.
ROOT_URLCONF = "bench.load_views"

if os.environ.get("BENCH_LOAD_NO_THROTTLE"):  # diagnosis only: what the two rate limits cost per request
    REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
