from django.urls import path

from . import contact_views, views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/new/", views.partner_create, name="create"),
    path("partners/<uuid:partner_id>/", views.partner_detail, name="detail"),
    path("partners/<uuid:partner_id>/edit/", views.partner_edit, name="edit"),
    path("partners/<uuid:partner_id>/retire/", views.partner_retire, name="retire"),
    path("partners/<uuid:partner_id>/reactivate/", views.partner_reactivate, name="reactivate"),
    path("partners/<uuid:partner_id>/logo/", views.partner_logo, name="logo"),
    # CSV imports (owners and partner managers) and a partner's contacts
    path("partners/import/", contact_views.partner_import, name="import"),
    path("partners/contacts/import/", contact_views.contact_import, name="contacts_import"),
    path("partners/<uuid:partner_id>/contacts/new/", contact_views.contact_create, name="contact_create"),
    path("partners/<uuid:partner_id>/contacts/<uuid:contact_id>/edit/", contact_views.contact_edit, name="contact_edit"),
    path("partners/<uuid:partner_id>/contacts/<uuid:contact_id>/delete/", contact_views.contact_delete, name="contact_delete"),
]

# The partner portal (/p/<tenant>/): a partner's own users see their organisation's logo.
partner_urlpatterns = [
    path("partners/<uuid:partner_id>/logo/", views.partner_logo, name="logo"),
]
