"""Training set up by the vendor's own staff: courses with their modules and quiz, and learning paths.

Credential issuers are saved by :func:`onboarding.issuers.credential_issuer_save`; this package owns
the rest of the training configuration that used to be editable only in Django admin:

- :mod:`.courses`: create, edit, publish and unpublish courses;
- :mod:`.course_modules`: a course's modules (its lessons);
- :mod:`.quiz`: a course's quiz questions and their answers;
- :mod:`.learning_paths`: each track's learning path and its courses;
- :mod:`.positions` and :mod:`.validation`: keeping rows in order, and checking what staff type.

Rules every function here keeps:

* one transaction and one audit row per change;
* a course is published only with a quiz partners can pass: at least one question, and every
  question with at least two answers of which at least one is correct (:func:`course_publish_problems`);
  a change to a published course's quiz may not break that (unpublish first), and its audit row
  says the course was published;
* positions (modules and questions of a course, courses of a path) stay 1..n and unique: rows are
  locked, then renumbered in two steps (:func:`~onboarding.training_setup.positions._renumber`) so
  the unique (tenant, parent, position) constraints never see two rows on one position.
"""

from __future__ import annotations

from .course_modules import course_module_add, course_module_move, course_module_remove, course_module_update
from .courses import course_create, course_publish, course_publish_problems, course_unpublish, course_update
from .learning_paths import learning_path_course_add, learning_path_course_move, learning_path_course_remove, learning_path_save
from .positions import DOWN, UP
from .quiz import MAX_CHOICES, quiz_question_add, quiz_question_remove, quiz_question_update

__all__ = [
    "DOWN",
    "MAX_CHOICES",
    "UP",
    "course_create",
    "course_module_add",
    "course_module_move",
    "course_module_remove",
    "course_module_update",
    "course_publish",
    "course_publish_problems",
    "course_unpublish",
    "course_update",
    "learning_path_course_add",
    "learning_path_course_move",
    "learning_path_course_remove",
    "learning_path_save",
    "quiz_question_add",
    "quiz_question_remove",
    "quiz_question_update",
]
