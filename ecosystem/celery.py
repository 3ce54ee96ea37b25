"""The Celery app. Tasks are declared with :func:`ecosystem.jobs.tasks.tenant_task` (or ``platform_task``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")

app = Celery("ecosystem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["ecosystem.portal"])
