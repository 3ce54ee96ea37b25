"""Personal data routes: vendor portal (``privacy`` namespace) and partner portal (``partner_privacy``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("privacy/people/", views.people, name="people"),
    path("privacy/people/<uuid:membership_id>/", views.member, name="member"),
    path("privacy/people/<uuid:membership_id>/export/", views.member_export, name="member_export"),
    path("privacy/people/<uuid:membership_id>/erase/", views.member_erase, name="member_erase"),
    path("privacy/retention/", views.retention, name="retention"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("privacy/my-data/export/", views.my_data_export, name="my_data_export"),
]

partner_urlpatterns = [
    path("privacy/my-data/", views.partner_my_data, name="my_data"),
    path("privacy/my-data/export/", views.partner_my_data_export, name="my_data_export"),
]
