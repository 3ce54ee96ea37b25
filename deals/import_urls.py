from django.urls import path

from . import import_views

app_name = "deal_imports"

urlpatterns = [
    path("deals/imports/", import_views.import_list, name="list"),
    path("deals/imports/files/<str:token>/", import_views.import_staged, name="staged"),
    path("deals/imports/files/<str:token>/import/", import_views.import_run, name="run"),
    path("deals/imports/jobs/<uuid:job_id>/", import_views.import_job, name="job"),
]
