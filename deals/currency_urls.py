"""Program > Setup > Currency rates, under /t/<tenant>/ (vendor staff; wrapped by the tenant base in ecosystem/urls.py)."""

from django.urls import path

from . import currency_views as views

app_name = "currency_rates"

urlpatterns = [
    path("setup/currency-rates/", views.rate_list, name="list"),
    path("setup/currency-rates/import/", views.rate_import, name="import"),
    path("setup/currency-rates/export/", views.rate_export, name="export"),
    path("setup/currency-rates/<uuid:rate_id>/delete/", views.rate_delete, name="delete"),
]
