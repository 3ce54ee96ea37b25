"""Isolation matrix rows for training setup in the API: a course's modules (the matrix's ``course``,
made by ``training_course_for`` with two modules, so position 1 exists in tenant A), its quiz questions
(the matrix's ``quiz_question``) and the learning paths (the matrix's ``learning_path``, the sales path
with that course on it).

Courses are vendor staff's configuration: partner users get 404 on every write here.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _course(objects: dict) -> dict:
    return {"public_id": objects["course"]}


def _path(objects: dict) -> dict:
    return {"public_id": objects["learning_path"]}


ROUTES: dict[str, Route] = {
    "api:course-modules": Route(_course, ("POST",)),
    "api:course-module": Route(lambda o: {**_course(o), "position": 1}, ("PUT", "DELETE")),
    "api:course-module-move": Route(lambda o: {**_course(o), "position": 1}, ("POST",)),
    "api:course-questions": Route(_course, ("POST",)),
    "api:course-question": Route(lambda o: {**_course(o), "question_id": o["quiz_question"]}, ("GET", "PUT", "DELETE")),
    "api:learning-path-list": Route(no_ids, ("GET", "POST")),
    "api:learning-path-detail": Route(_path, ("GET",)),
    "api:learning-path-courses": Route(_path, ("POST",)),
    "api:learning-path-course": Route(lambda o: {**_path(o), "course_id": o["course"]}, ("DELETE",)),
    "api:learning-path-course-move": Route(lambda o: {**_path(o), "course_id": o["course"]}, ("POST",)),
}


def objects(a) -> dict:
    """The matrix's own course is the object probed: nothing more to make."""
    return {"partner1_ids": set()}
