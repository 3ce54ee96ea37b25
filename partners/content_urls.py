"""Content library routes. Both lists are wrapped by the tenant base in ecosystem/urls.py."""

from django.urls import path

from . import content_views as views

# Under /t/<tenant_slug>/ (vendor portal), namespace "content".
urlpatterns = [
    path("content/", views.content_list, name="list"),
    path("content/new/", views.content_create, name="create"),
    path("content/<uuid:item_id>/edit/", views.content_edit, name="edit"),
    path("content/<uuid:item_id>/unpublish/", views.content_unpublish, name="unpublish"),
]

# Under /p/<tenant_slug>/ (partner portal), namespace "partner_content".
partner_urlpatterns = [
    path("content/", views.my_content, name="list"),
    path("content/<uuid:item_id>/download/", views.my_content_download, name="download"),
]
