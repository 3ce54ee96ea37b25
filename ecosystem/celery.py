"""The Celery app. Tasks are declared with :func:`ecosystem.jobs.tasks.tenant_task` (or ``platform_task``).

DJANGO_SETTINGS_MODULE comes from the environment (the Procfile, docker-compose); it is not
defaulted here because importing the project must never pick settings behind a test runner's back.
"""

from celery import Celery

app = Celery("ecosystem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["ecosystem.portal"])
app.autodiscover_tasks(["ecosystem"], related_name="upload_tasks")
app.autodiscover_tasks(["ecosystem.portal"], related_name="tenant_export_tasks")
