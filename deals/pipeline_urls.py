from django.urls import path

from . import pipeline_views

urlpatterns = [
    path("deals/pipeline/", pipeline_views.pipeline, name="board"),
]

partner_urlpatterns = [
    path("deals/pipeline/", pipeline_views.partner_pipeline, name="board"),
]
