from django.urls import path

from . import lead_views

app_name = "leads"

urlpatterns = [
    path("leads/", lead_views.lead_list, name="list"),
    path("leads/new/", lead_views.lead_create, name="create"),
    path("leads/<uuid:lead_id>/", lead_views.lead_detail, name="detail"),
    path("leads/<uuid:lead_id>/route/", lead_views.lead_route, name="route"),
    path("leads/<uuid:lead_id>/offer/", lead_views.lead_offer, name="offer"),
    path("leads/<uuid:lead_id>/withdraw/", lead_views.lead_withdraw, name="withdraw"),
    path("leads/<uuid:lead_id>/campaign/", lead_views.lead_campaign, name="campaign"),
]

partner_urlpatterns = [
    path("leads/", lead_views.my_leads, name="list"),
    path("leads/<uuid:lead_id>/", lead_views.my_lead, name="detail"),
    path("leads/<uuid:lead_id>/accept/", lead_views.my_lead_accept, name="accept"),
    path("leads/<uuid:lead_id>/decline/", lead_views.my_lead_decline, name="decline"),
    path("leads/<uuid:lead_id>/convert/", lead_views.my_lead_convert, name="convert"),
    path("leads/<uuid:lead_id>/campaign/", lead_views.my_lead_campaign, name="campaign"),
]
