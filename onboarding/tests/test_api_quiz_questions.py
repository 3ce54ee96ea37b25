"""``courses/<id>/questions/…``: a course's quiz questions through the API, as the portal's course setup page."""

from __future__ import annotations

from ecosystem.audit.models import AuditEntry
from ecosystem.tenancy.context import tenant_context
from onboarding.models import QuizQuestion
from tests.fixtures import training_course_for

BASE = "/api/v1/t/alpha/"
QUESTION = {
    "text": "Who signs the order form?",
    "choices": [{"text": "The customer", "is_correct": True}, {"text": "The partner"}],
}


def _questions(course) -> list[tuple[str, list[tuple[str, bool]]]]:
    with tenant_context(course.tenant_id):
        questions = QuizQuestion.objects.filter(course=course).prefetch_related("choices").order_by("position")
        return [(q.text, [(c.text, c.is_correct) for c in q.choices.order_by("position")]) for q in questions]


def test_a_partner_manager_adds_reads_changes_and_removes_a_question(client, world):
    course = training_course_for(world.a.tenant, questions=1)
    client.force_login(world.a.manager)
    url = BASE + f"courses/{course.public_id}/questions/"

    added = client.post(url, QUESTION, content_type="application/json")
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["position"], body["choices"]) == (
        2,
        [{"text": "The customer", "is_correct": True}, {"text": "The partner", "is_correct": False}],
    )
    question_url = url + f"{body['id']}/"
    listed = client.get(BASE + f"courses/{course.public_id}/").json()["questions"]
    assert [(q["position"], q["id"]) for q in listed] == [(1, listed[0]["id"]), (2, body["id"])]
    assert "choices" not in listed[1]  # the answers only one question at a time
    assert client.get(question_url).json() == body

    three = {"text": "Who pays?", "choices": [{"text": "A"}, {"text": "B", "is_correct": True}, {"text": "C"}]}
    changed = client.put(question_url, three, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert _questions(course)[1] == ("Who pays?", [("A", False), ("B", True), ("C", False)])

    removed = client.delete(question_url)
    assert removed.status_code == 204
    assert len(_questions(course)) == 1
    with tenant_context(world.a.tenant.pk):
        actions = set(AuditEntry.objects.filter(action__startswith="training.question_").values_list("action", flat=True))
    assert actions == {"training.question_add", "training.question_update", "training.question_remove"}


def test_bad_input_answers_400_in_the_error_envelope_and_changes_nothing(client, world):
    course = training_course_for(world.a.tenant, questions=1)
    client.force_login(world.a.owner)
    url = BASE + f"courses/{course.public_id}/questions/"

    def code(payload):
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 400, response.content
        return response.json()["code"], response.json()["attr"]

    assert code({**QUESTION, "choices": [{"text": "Only one", "is_correct": True}]}) == ("too_few_choices", "choices")
    assert code({**QUESTION, "choices": [{"text": "A"}, {"text": "B"}]}) == ("no_correct_choice", "choices")
    assert code({**QUESTION, "text": ""})[1] == "text"
    assert code({**QUESTION, "choices": [{"text": str(n)} for n in range(7)]})[1] == "choices"
    before = _questions(course)
    assert len(before) == 1

    assert course.is_published is True
    with tenant_context(world.a.tenant.pk):
        only = QuizQuestion.objects.get(course=course)
    last = client.delete(url + f"{only.public_id}/")
    assert (last.status_code, last.json()["code"]) == (400, "last_question")
    assert _questions(course) == before


def test_an_analyst_reads_a_question_but_may_not_change_it(client, world):
    course = training_course_for(world.a.tenant, questions=2)
    with tenant_context(world.a.tenant.pk):
        question = QuizQuestion.objects.filter(course=course).order_by("position").first()
    client.force_login(world.a.analyst)
    url = BASE + f"courses/{course.public_id}/questions/"
    assert client.get(url + f"{question.public_id}/").json()["text"] == "Question 1?"
    for response in (
        client.post(url, QUESTION, content_type="application/json"),
        client.put(url + f"{question.public_id}/", QUESTION, content_type="application/json"),
        client.delete(url + f"{question.public_id}/"),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "role_forbidden")
    assert len(_questions(course)) == 2


def test_partner_users_and_another_tenants_staff_get_not_found(client, world):
    course = training_course_for(world.a.tenant, questions=2)
    with tenant_context(world.a.tenant.pk):
        question = QuizQuestion.objects.filter(course=course).order_by("position").first()
    other_course = training_course_for(world.a.tenant, title="Other")
    client.force_login(world.a.partner1_admin)
    answers = BASE + f"courses/{course.public_id}/questions/{question.public_id}/"
    assert client.get(answers).status_code == 404  # partners never read the correct answers

    client.force_login(world.a.manager)
    wrong_course = BASE + f"courses/{other_course.public_id}/questions/{question.public_id}/"
    assert client.get(wrong_course).status_code == 404

    client.force_login(world.b.manager)
    theirs = f"/api/v1/t/beta/courses/{course.public_id}/questions/"
    assert client.post(theirs, QUESTION, content_type="application/json").status_code == 404
    assert client.get(theirs + f"{question.public_id}/").status_code == 404
    assert client.delete(theirs + f"{question.public_id}/").status_code == 404
    assert len(_questions(course)) == 2
