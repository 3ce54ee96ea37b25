from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("start/", views.tenant_start, name="tenant_start"),
    path("invitations/<slug:tenant_slug>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
