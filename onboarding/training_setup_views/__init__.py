"""Training setup in the vendor portal: courses (modules, quiz), learning paths, credential issuers.

Staff read every page; only owners and partner managers change anything (analysts get 403 on a
POST and nothing changes). Rows are fetched through the tenant (404 for another tenant's ids).
A refused change re-renders its form with the message next to the field and what was typed.

The views live by topic (:mod:`.courses`, :mod:`.course_modules`, :mod:`.quiz`, :mod:`.learning_paths`,
:mod:`.credential_issuers`); :mod:`.forms` holds their forms and :mod:`.editing` who may change what.
"""

from __future__ import annotations

from .course_modules import module_add, module_edit, module_move, module_remove
from .courses import PAGE_SIZE, course_create, course_edit, course_list, course_publish, course_unpublish
from .credential_issuers import issuer_create, issuer_edit, issuer_list
from .forms import CourseForm, IssuerForm, ModuleForm, PathForm, QuestionForm
from .learning_paths import path_course_add, path_course_move, path_course_remove, path_list
from .quiz import question_add, question_edit, question_remove

__all__ = [
    "PAGE_SIZE",
    "CourseForm",
    "IssuerForm",
    "ModuleForm",
    "PathForm",
    "QuestionForm",
    "course_create",
    "course_edit",
    "course_list",
    "course_publish",
    "course_unpublish",
    "issuer_create",
    "issuer_edit",
    "issuer_list",
    "module_add",
    "module_edit",
    "module_move",
    "module_remove",
    "path_course_add",
    "path_course_move",
    "path_course_remove",
    "path_list",
    "question_add",
    "question_edit",
    "question_remove",
]
