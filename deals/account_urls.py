"""Vendor portal routes for customer accounts, mounted under ``/t/<tenant>/`` with the namespace ``customer_accounts``."""

from django.urls import path

from . import account_views as views

app_name = "customer_accounts"

urlpatterns = [
    path("deals/accounts/", views.accounts, name="list"),
]
