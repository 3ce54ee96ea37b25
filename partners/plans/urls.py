"""Portal routes: ``urlpatterns`` under /t/<tenant>/ (vendor staff, "plans"), ``partner_urlpatterns`` under /p/<tenant>/ ("partner_plans")."""

from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/export.csv", views.plan_export, name="export"),
    path("plans/new/", views.plan_create, name="create"),
    path("plans/<uuid:plan_id>/", views.plan_detail, name="detail"),
    path("plans/<uuid:plan_id>/edit/", views.plan_edit, name="edit"),
    path("plans/<uuid:plan_id>/close/", views.plan_close, name="close"),
    path("plans/<uuid:plan_id>/status/", views.plan_status, name="status"),
    path("plans/<uuid:plan_id>/goals/", views.goal_add, name="goal_add"),
    path("plans/<uuid:plan_id>/goals/<uuid:goal_id>/", views.goal_edit, name="goal"),
    path("plans/<uuid:plan_id>/goals/<uuid:goal_id>/remove/", views.goal_remove, name="goal_remove"),
    path("plans/<uuid:plan_id>/initiatives/", views.initiative_add, name="initiative_add"),
    path("plans/<uuid:plan_id>/initiatives/<uuid:initiative_id>/", views.initiative_edit, name="initiative"),
    path("plans/<uuid:plan_id>/initiatives/<uuid:initiative_id>/remove/", views.initiative_remove, name="initiative_remove"),
    path("plans/<uuid:plan_id>/reviews/", views.review_add, name="review_add"),
]

partner_urlpatterns = [
    path("plans/", views.my_plans, name="list"),
    path("plans/<uuid:plan_id>/", views.my_plan, name="detail"),
    path("plans/<uuid:plan_id>/status/", views.my_plan_status, name="status"),
    path("plans/<uuid:plan_id>/initiatives/", views.my_initiative_add, name="initiative_add"),
    path("plans/<uuid:plan_id>/initiatives/<uuid:initiative_id>/", views.my_initiative_edit, name="initiative"),
]
