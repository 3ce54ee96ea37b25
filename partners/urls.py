from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/new/", views.partner_create, name="create"),
    path("partners/<uuid:partner_id>/", views.partner_detail, name="detail"),
    path("partners/<uuid:partner_id>/edit/", views.partner_edit, name="edit"),
    path("partners/<uuid:partner_id>/retire/", views.partner_retire, name="retire"),
    path("partners/<uuid:partner_id>/reactivate/", views.partner_reactivate, name="reactivate"),
    path("partners/<uuid:partner_id>/logo/", views.partner_logo, name="logo"),
]

# The partner portal (/p/<tenant>/): a partner's own users see their organisation's logo.
partner_urlpatterns = [
    path("partners/<uuid:partner_id>/logo/", views.partner_logo, name="logo"),
]
