"""Portal routes of the ideal partner profile, for vendor staff (included in :mod:`scoring.urls`)."""

from django.urls import path

from . import fit_views

urlpatterns = [
    path("health/fit/", fit_views.fit_profile, name="fit"),
    path("health/fit/train/", fit_views.fit_train, name="fit_train"),
    path("health/fit/jobs/<uuid:job_id>/", fit_views.fit_job, name="fit_job"),
]
