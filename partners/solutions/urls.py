"""Portal routes: ``urlpatterns`` under /t/<tenant>/ ("solutions", vendor staff), ``partner_urlpatterns`` under
/p/<tenant>/ ("partner_solutions")."""

from django.urls import path

from . import views

urlpatterns = [
    path("solutions/", views.solution_list, name="list"),
    path("solutions/new/", views.solution_create, name="create"),
    path("solutions/leads/<uuid:lead_id>/", views.lead_solution, name="lead_solution"),
    path("solutions/registrations/<uuid:registration_id>/team/", views.registration_team, name="registration_team"),
    path("solutions/<uuid:solution_id>/", views.solution_detail, name="detail"),
    path("solutions/<uuid:solution_id>/edit/", views.solution_edit, name="edit"),
    path("solutions/<uuid:solution_id>/components/", views.component_add, name="component_add"),
    path(
        "solutions/<uuid:solution_id>/components/<uuid:component_id>/remove/",
        views.component_remove,
        name="component_remove",
    ),
    path("solutions/<uuid:solution_id>/approve/", views.solution_approve, name="approve"),
    path("solutions/<uuid:solution_id>/decline/", views.solution_decline, name="decline"),
    path("solutions/<uuid:solution_id>/retire/", views.solution_retire, name="retire"),
]

partner_urlpatterns = [
    path("solutions/", views.partner_list, name="list"),
    path("solutions/propose/", views.partner_propose, name="propose"),
    path("solutions/invitations/", views.partner_invitations, name="invitations"),
    path("solutions/invitations/<uuid:component_id>/accept/", views.invitation_accept, name="invitation_accept"),
    path("solutions/invitations/<uuid:component_id>/decline/", views.invitation_decline, name="invitation_decline"),
    path("solutions/<uuid:solution_id>/", views.partner_detail, name="detail"),
    path("solutions/<uuid:solution_id>/edit/", views.partner_edit, name="edit"),
    path("solutions/<uuid:solution_id>/components/", views.partner_component_add, name="component_add"),
    path(
        "solutions/<uuid:solution_id>/components/<uuid:component_id>/remove/",
        views.partner_component_remove,
        name="component_remove",
    ),
    path("solutions/<uuid:solution_id>/submit/", views.partner_submit, name="submit"),
]
