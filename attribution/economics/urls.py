"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "economics"), ``partner_urlpatterns`` under /p/<tenant>/.

Customer revenue and program costs are the vendor's own books: partner users have no page here.
"""

from django.urls import path

from . import summary_views, views

urlpatterns = [
    path("economics/", views.overview, name="overview"),
    path("economics/revenue/", views.revenue, name="revenue"),
    path("economics/revenue/import/", views.revenue_import, name="revenue_import"),
    path("economics/costs/", views.costs, name="costs"),
    path("economics/cltv/<uuid:partner_id>/", views.cltv, name="cltv"),
    path("economics/weekly-summary/", summary_views.summary_settings, name="summary_settings"),
]

partner_urlpatterns: list = []
