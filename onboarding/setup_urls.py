from django.urls import path

from . import setup_views as views
from . import training_setup_views as training

app_name = "setup"

# Under /t/<tenant_slug>/: wrapped by the tenant base in ecosystem/urls.py.
urlpatterns = [
    path("setup/", views.setup_index, name="index"),
    path("setup/templates/", views.template_create, name="template_create"),
    path("setup/templates/<uuid:template_id>/steps/", views.template_step_add, name="template_step_add"),
    path(
        "setup/templates/<uuid:template_id>/steps/<int:position>/remove/", views.template_step_remove, name="template_step_remove"
    ),
    path("setup/agreements/", views.agreement_add, name="agreement_add"),
    path("setup/questions/", views.question_add, name="question_add"),
    path("setup/questions/<uuid:question_id>/retire/", views.question_retire, name="question_retire"),
    path("setup/capabilities/", views.capability_create, name="capability_add"),
    path("setup/tiers/", views.tier_save, name="tier_save"),
    path("setup/tiers/policy/", views.tier_policy_save, name="tier_policy"),
    # training setup: courses (modules, quiz), learning paths, credential issuers
    path("setup/courses/", training.course_list, name="course_list"),
    path("setup/courses/new/", training.course_create, name="course_create"),
    path("setup/courses/<uuid:course_id>/", training.course_edit, name="course_edit"),
    path("setup/courses/<uuid:course_id>/publish/", training.course_publish, name="course_publish"),
    path("setup/courses/<uuid:course_id>/unpublish/", training.course_unpublish, name="course_unpublish"),
    path("setup/courses/<uuid:course_id>/modules/", training.module_add, name="module_add"),
    path("setup/courses/<uuid:course_id>/modules/<int:position>/", training.module_edit, name="module_edit"),
    path("setup/courses/<uuid:course_id>/modules/<int:position>/remove/", training.module_remove, name="module_remove"),
    path("setup/courses/<uuid:course_id>/modules/<int:position>/move/", training.module_move, name="module_move"),
    path("setup/courses/<uuid:course_id>/questions/", training.question_add, name="quiz_question_add"),
    path("setup/courses/<uuid:course_id>/questions/<uuid:question_id>/", training.question_edit, name="quiz_question_edit"),
    path(
        "setup/courses/<uuid:course_id>/questions/<uuid:question_id>/remove/",
        training.question_remove,
        name="quiz_question_remove",
    ),
    path("setup/paths/", training.path_list, name="paths"),
    path("setup/paths/<uuid:path_id>/courses/", training.path_course_add, name="path_course_add"),
    path("setup/paths/<uuid:path_id>/courses/<uuid:course_id>/remove/", training.path_course_remove, name="path_course_remove"),
    path("setup/paths/<uuid:path_id>/courses/<uuid:course_id>/move/", training.path_course_move, name="path_course_move"),
    path("setup/issuers/", training.issuer_list, name="issuers"),
    path("setup/issuers/new/", training.issuer_create, name="issuer_create"),
    path("setup/issuers/<slug:issuer_slug>/edit/", training.issuer_edit, name="issuer_edit"),
]
