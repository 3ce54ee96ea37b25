"""Training setup by the vendor's own staff: courses with modules and a quiz, learning paths, issuers."""

from __future__ import annotations

import pytest

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from onboarding import training_setup as services
from onboarding.models import (
    Course,
    CourseModule,
    CredentialIssuer,
    CredentialIssuerSecret,
    LearningPath,
    LearningPathCourse,
    QuizChoice,
    QuizQuestion,
)
from tests.fixtures import training_course_for

GOOD_CHOICES = [("Per seat", True), ("Per server", False)]


@pytest.fixture
def manager(client, world):
    client.force_login(world.a.manager)
    return client


@pytest.fixture
def in_alpha(world):
    with tenant_context(world.a.tenant.pk):
        yield world.a


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


def actions(world) -> list[str]:
    with tenant_context(world.a.tenant.pk):
        return list(
            AuditEntry.objects.exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True)
        )  # not the sign-ins


def draft(a, **kwargs) -> Course:
    values = {"title": "Selling Acme", "summary": "", "track": "sales", "pass_mark": 80, "validity_months": 24} | kwargs
    return services.course_create(tenant=a.tenant, actor=a.manager, **values)


def module_titles(course) -> list[tuple[int, str]]:
    return list(CourseModule.objects.filter(course=course).order_by("position").values_list("position", "title"))


# --- services: courses ---------------------------------------------------------------------------


def test_a_new_course_is_a_draft_and_its_creation_is_audited(in_alpha, world):
    course = draft(in_alpha, title="  Selling Acme  ")
    assert (course.title, course.is_published, course.pass_mark) == ("Selling Acme", False, 80)
    assert actions(world) == ["training.course_create"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": " "}, "title"),
        ({"track": "marketing"}, "track"),
        ({"pass_mark": 0}, "pass_mark"),
        ({"pass_mark": 101}, "pass_mark"),
        ({"validity_months": 121}, "validity_months"),
    ],
)
def test_bad_course_details_are_refused_naming_the_field(in_alpha, world, values, field):
    with pytest.raises(ApplicationError) as refused:
        draft(in_alpha, **values)
    assert refused.value.field == field
    assert rows(world, Course) == []
    assert actions(world) == []


def test_a_course_without_questions_is_not_published(in_alpha, world):
    course = draft(in_alpha)
    with pytest.raises(ApplicationError, match="Add at least one quiz question") as refused:
        services.course_publish(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course)
    assert refused.value.code == "quiz_incomplete"
    course.refresh_from_db()
    assert course.is_published is False
    assert "training.course_publish" not in actions(world)


def test_publishing_names_the_question_without_a_correct_answer_and_the_one_with_a_single_answer(in_alpha):
    course = draft(in_alpha)
    services.quiz_question_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, text="Fine?", choices=GOOD_CHOICES)
    # Rows the services refuse to write (as Django admin could): built directly.
    no_correct = QuizQuestion.objects.create(tenant=in_alpha.tenant, course=course, position=2, text="Which region?")
    for position, text in ((1, "EU"), (2, "US")):
        QuizChoice.objects.create(tenant=in_alpha.tenant, question=no_correct, position=position, text=text)
    lonely = QuizQuestion.objects.create(tenant=in_alpha.tenant, course=course, position=3, text="Only one?")
    QuizChoice.objects.create(tenant=in_alpha.tenant, question=lonely, position=1, text="Yes", is_correct=True)

    with pytest.raises(ApplicationError) as refused:
        services.course_publish(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course)

    assert "Question 2 (“Which region?”) has no correct answer." in refused.value.message
    assert "Question 3 (“Only one?”) needs at least two answers." in refused.value.message
    assert "Fine?" not in refused.value.message
    assert Course.objects.get(pk=course.pk).is_published is False


def test_a_course_with_a_good_quiz_is_published_and_unpublished(in_alpha, world):
    course = draft(in_alpha)
    services.quiz_question_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, text="How?", choices=GOOD_CHOICES)
    services.course_publish(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course)
    assert Course.objects.get(pk=course.pk).is_published is True
    services.course_unpublish(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course)
    assert Course.objects.get(pk=course.pk).is_published is False
    assert actions(world)[-2:] == ["training.course_publish", "training.course_unpublish"]


def test_a_course_on_a_learning_path_keeps_its_track(in_alpha):
    course = draft(in_alpha)
    path = services.learning_path_save(
        tenant=in_alpha.tenant, actor=in_alpha.manager, track="sales", title="Sales", description=""
    )
    services.learning_path_course_add(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=course)
    with pytest.raises(ApplicationError, match="remove it from the path") as refused:
        services.course_update(
            tenant=in_alpha.tenant,
            actor=in_alpha.manager,
            course=course,
            title="Selling Acme",
            summary="",
            track="technical",
            pass_mark=80,
            validity_months=24,
        )
    assert refused.value.field == "track"
    assert Course.objects.get(pk=course.pk).track == "sales"


# --- services: modules ---------------------------------------------------------------------------


def test_modules_are_appended_moved_and_removed_with_positions_one_to_n(in_alpha, world):
    course = draft(in_alpha)
    modules = [
        services.course_module_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, title=title)
        for title in ("Pitch", "Pricing", "Demo")
    ]
    services.course_module_move(tenant=in_alpha.tenant, actor=in_alpha.manager, module=modules[2], direction="up")
    assert module_titles(course) == [(1, "Pitch"), (2, "Demo"), (3, "Pricing")]
    services.course_module_move(tenant=in_alpha.tenant, actor=in_alpha.manager, module=modules[0], direction="down")
    assert module_titles(course) == [(1, "Demo"), (2, "Pitch"), (3, "Pricing")]

    services.course_module_remove(tenant=in_alpha.tenant, actor=in_alpha.manager, module=modules[2])  # Demo, now first

    assert module_titles(course) == [(1, "Pitch"), (2, "Pricing")]
    assert actions(world).count("training.module_move") == 2
    assert actions(world)[-1] == "training.module_remove"


def test_moving_the_first_module_up_changes_nothing(in_alpha, world):
    course = draft(in_alpha)
    first = services.course_module_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, title="Pitch")
    services.course_module_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, title="Pricing")
    services.course_module_move(tenant=in_alpha.tenant, actor=in_alpha.manager, module=first, direction="up")
    assert module_titles(course) == [(1, "Pitch"), (2, "Pricing")]
    assert "training.module_move" not in actions(world)


def test_module_links_must_be_https(in_alpha):
    course = draft(in_alpha)
    with pytest.raises(ApplicationError) as refused:
        services.course_module_add(
            tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, title="Pitch", video_url="javascript:alert(1)"
        )
    assert refused.value.field == "video_url"
    assert module_titles(course) == []


# --- services: quiz ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ([("Only one", True)], "too_few_choices"),
        ([("A", False), ("B", False)], "no_correct_choice"),
        ([("A", False), ("", True), ("B", True)], "required"),
    ],
)
def test_a_question_needs_two_answers_and_a_correct_one(in_alpha, choices, code):
    course = draft(in_alpha)
    with pytest.raises(ApplicationError) as refused:
        services.quiz_question_add(tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, text="How?", choices=choices)
    assert (refused.value.code, refused.value.field) == (code, "choices")
    assert QuizQuestion.objects.filter(course=course).count() == 0


def test_editing_a_question_keeps_the_answers_identity_by_position(in_alpha):
    course = draft(in_alpha)
    question = services.quiz_question_add(
        tenant=in_alpha.tenant, actor=in_alpha.manager, course=course, text="How?", choices=[*GOOD_CHOICES, ("Per core", False)]
    )
    before = dict(QuizChoice.objects.filter(question=question).values_list("position", "public_id"))

    services.quiz_question_update(
        tenant=in_alpha.tenant,
        actor=in_alpha.manager,
        question=question,
        text="How is it priced?",
        choices=[("Per seat", False), ("Per server", True)],
    )

    after = list(QuizChoice.objects.filter(question=question).order_by("position").values_list("public_id", "text", "is_correct"))
    assert after == [(before[1], "Per seat", False), (before[2], "Per server", True)]
    assert QuizQuestion.objects.get(pk=question.pk).text == "How is it priced?"


def test_changing_a_published_quiz_is_allowed_and_audited_as_such(in_alpha, world):
    course = training_course_for(in_alpha.tenant)  # published, three questions
    question = course.questions.order_by("position").first()
    services.quiz_question_update(
        tenant=in_alpha.tenant, actor=in_alpha.manager, question=question, text="Changed?", choices=GOOD_CHOICES
    )
    with tenant_context(world.a.tenant.pk):
        entry = AuditEntry.objects.get(action="training.question_update")
    assert entry.changes["published"] is True
    assert entry.changes["before"]["question"] == "Question 1?"
    assert entry.actor_id == in_alpha.manager.pk


def test_the_last_question_of_a_published_course_cannot_be_removed(in_alpha):
    course = training_course_for(in_alpha.tenant, questions=2)
    first, second = course.questions.order_by("position")
    services.quiz_question_remove(tenant=in_alpha.tenant, actor=in_alpha.manager, question=first)
    assert list(QuizQuestion.objects.filter(course=course).values_list("position", "text")) == [(1, "Question 2?")]
    with pytest.raises(ApplicationError, match="unpublish the course"):
        services.quiz_question_remove(tenant=in_alpha.tenant, actor=in_alpha.manager, question=second)
    assert QuizQuestion.objects.filter(course=course).count() == 1


# --- services: learning paths --------------------------------------------------------------------


def test_one_path_per_track_whose_courses_are_ordered(in_alpha, world):
    path = services.learning_path_save(
        tenant=in_alpha.tenant, actor=in_alpha.manager, track="sales", title="Sell", description=""
    )
    again = services.learning_path_save(
        tenant=in_alpha.tenant, actor=in_alpha.manager, track="sales", title="Sell more", description="Start here."
    )
    assert again.pk == path.pk
    assert [(p.track, p.title) for p in LearningPath.objects.all()] == [("sales", "Sell more")]
    one, two, three = (draft(in_alpha, title=title) for title in ("One", "Two", "Three"))
    for course in (one, two, three):
        services.learning_path_course_add(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=course)

    services.learning_path_course_move(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=three, direction="up")
    services.learning_path_course_remove(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=one)

    order = LearningPathCourse.objects.filter(path=path).order_by("position").values_list("position", "course__title")
    assert list(order) == [(1, "Three"), (2, "Two")]
    assert {"training.path_create", "training.path_update", "training.path_course_move"} <= set(actions(world))


def test_a_path_takes_each_course_of_its_track_once(in_alpha):
    path = services.learning_path_save(
        tenant=in_alpha.tenant, actor=in_alpha.manager, track="sales", title="Sell", description=""
    )
    sales, technical = draft(in_alpha), draft(in_alpha, title="Installing", track="technical")
    services.learning_path_course_add(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=sales)
    with pytest.raises(ApplicationError, match="already on the path"):
        services.learning_path_course_add(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=sales)
    with pytest.raises(ApplicationError, match="Only Sales courses") as refused:
        services.learning_path_course_add(tenant=in_alpha.tenant, actor=in_alpha.manager, path=path, course=technical)
    assert refused.value.field == "course"
    assert LearningPathCourse.objects.filter(path=path).count() == 1


# --- views: courses ------------------------------------------------------------------------------


def test_a_manager_builds_and_publishes_a_course_in_the_portal(manager, world):
    response = manager.post(
        "/t/alpha/setup/courses/new/",
        {"title": "Selling Acme", "summary": "Why.", "track": "sales", "pass_mark": "75", "validity_months": "12"},
    )
    [course] = rows(world, Course)
    url = f"/t/alpha/setup/courses/{course.public_id}/"
    assert response["Location"] == url
    manager.post(f"{url}modules/", {"title": "The pitch", "body": "Who buys.", "video_url": "https://video.example/pitch"})
    manager.post(
        f"{url}questions/",
        {"text": "How is it priced?", "choice_1": "Per seat", "correct_1": "on", "choice_2": "Per server", "choice_3": ""},
    )
    manager.post(f"{url}publish/")

    course = rows(world, Course)[0]
    assert (course.is_published, course.pass_mark, course.validity_months) == (True, 75, 12)
    assert [m.title for m in rows(world, CourseModule)] == ["The pitch"]
    assert sorted((c.text, c.is_correct) for c in rows(world, QuizChoice)) == [("Per seat", True), ("Per server", False)]
    page = manager.get("/t/alpha/setup/courses/").content.decode()
    assert "Selling Acme" in page and "Published" in page


def test_publishing_a_course_without_a_quiz_says_why(manager, world):
    with tenant_context(world.a.tenant.pk):
        course = draft(world.a)
    response = manager.post(f"/t/alpha/setup/courses/{course.public_id}/publish/", follow=True)
    assert "The course cannot be published yet: Add at least one quiz question." in response.content.decode()
    assert rows(world, Course)[0].is_published is False


def test_a_refused_course_form_shows_the_error_and_keeps_what_was_typed(manager, world):
    response = manager.post(
        "/t/alpha/setup/courses/new/",
        {
            "title": "Selling Acme Cloud",
            "summary": "Typed summary",
            "track": "sales",
            "pass_mark": "150",
            "validity_months": "12",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Use a whole number from 1 to 100." in page
    assert 'value="Selling Acme Cloud"' in page and "Typed summary" in page
    assert rows(world, Course) == []


def test_a_refused_question_keeps_the_question_and_its_answers(manager, world):
    with tenant_context(world.a.tenant.pk):
        course = draft(world.a)
    response = manager.post(
        f"/t/alpha/setup/courses/{course.public_id}/questions/",
        {"text": "Which plan suits a startup?", "choice_1": "Starter", "choice_2": "Enterprise"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Tick at least one correct answer." in page
    assert 'value="Which plan suits a startup?"' in page and 'value="Starter"' in page and 'value="Enterprise"' in page
    assert rows(world, QuizQuestion) == []


def test_modules_are_reordered_and_edited_in_the_portal(manager, world):
    with tenant_context(world.a.tenant.pk):
        course = training_course_for(world.a.tenant)  # modules: 1 The pitch, 2 Pricing
    url = f"/t/alpha/setup/courses/{course.public_id}/modules/"
    manager.post(f"{url}2/move/", {"direction": "up"})
    response = manager.post(f"{url}1/", {"title": "Pricing, simply", "asset_url": "http://files.example/p.pdf"})
    assert response.status_code == 400
    assert "Enter an https:// address." in response.content.decode()
    assert 'value="Pricing, simply"' in response.content.decode()
    with tenant_context(world.a.tenant.pk):
        assert module_titles(course) == [(1, "Pricing"), (2, "The pitch")]


def test_the_quiz_is_edited_in_the_portal(manager, world):
    with tenant_context(world.a.tenant.pk):
        course = training_course_for(world.a.tenant, questions=2)
        first = course.questions.order_by("position").first()
    url = f"/t/alpha/setup/courses/{course.public_id}/questions/{first.public_id}/"
    page = manager.get(url).content.decode()
    assert 'value="Answer 1.1"' in page
    manager.post(url, {"text": "Rewritten?", "choice_1": "Yes", "choice_2": "No", "correct_2": "on"})
    manager.post(f"{url}remove/")
    assert [(q.position, q.text) for q in rows(world, QuizQuestion)] == [(1, "Question 2?")]
    assert "training.question_update" in actions(world) and "training.question_remove" in actions(world)


def test_analysts_read_the_courses_but_cannot_change_them(client, world):
    with tenant_context(world.a.tenant.pk):
        course = training_course_for(world.a.tenant, is_published=False)
    client.force_login(world.a.analyst)
    url = f"/t/alpha/setup/courses/{course.public_id}/"
    assert client.get("/t/alpha/setup/courses/").status_code == 200
    page = client.get(url)
    assert page.status_code == 200 and "Add a question" not in page.content.decode()
    assert client.post("/t/alpha/setup/courses/new/", {"title": "X", "track": "sales"}).status_code == 403
    for action, data in (
        ("", {"title": "Renamed", "track": "sales", "pass_mark": "50", "validity_months": "12"}),
        ("publish/", {}),
        ("modules/", {"title": "More"}),
        ("modules/1/remove/", {}),
        ("questions/", {"text": "Q?", "choice_1": "A", "correct_1": "on", "choice_2": "B"}),
    ):
        assert client.post(url + action, data).status_code == 403, action
    assert [(c.title, c.is_published) for c in rows(world, Course)] == [("Selling the platform", False)]
    assert len(rows(world, CourseModule)) == 2 and len(rows(world, QuizQuestion)) == 3
    assert actions(world) == []


def test_partner_users_have_no_course_setup(client, world):
    with tenant_context(world.a.tenant.pk):
        course = training_course_for(world.a.tenant)
    client.force_login(world.a.partner1_admin)
    assert client.get("/t/alpha/setup/courses/").status_code == 404
    assert client.post(f"/t/alpha/setup/courses/{course.public_id}/unpublish/").status_code == 404
    assert rows(world, Course)[0].is_published is True


def test_partners_never_see_which_answer_is_correct(client, world):
    with tenant_context(world.a.tenant.pk):
        course = training_course_for(world.a.tenant)
    client.force_login(world.a.partner1_admin)
    page = client.get(f"/p/alpha/training/courses/{course.public_id}/").content.decode()
    assert "Answer 1.1" in page  # the quiz is on the page...
    assert "✓" not in page and "correct:" not in page  # ...without the staff page's marks


def test_another_tenants_course_is_not_found_and_not_changed(manager, world):
    with tenant_context(world.b.tenant.pk):
        foreign = training_course_for(world.b.tenant, questions=1)
        question = foreign.questions.get()
    base = f"/t/alpha/setup/courses/{foreign.public_id}/"
    assert manager.get(base).status_code == 404
    assert manager.get(f"{base}questions/{question.public_id}/").status_code == 404
    for action in ("unpublish/", "modules/1/remove/", "modules/1/move/", f"questions/{question.public_id}/remove/"):
        assert manager.post(base + action, {"direction": "down"}).status_code == 404, action
    with tenant_context(world.b.tenant.pk):
        assert Course.objects.get(pk=foreign.pk).is_published is True
        assert CourseModule.objects.filter(course=foreign).count() == 2
        assert QuizQuestion.objects.filter(course=foreign).count() == 1


def test_a_question_of_another_course_is_not_found_under_this_one(manager, world):
    with tenant_context(world.a.tenant.pk):
        one = training_course_for(world.a.tenant)
        other = training_course_for(world.a.tenant, title="Other")
        question = other.questions.order_by("position").first()
    response = manager.post(f"/t/alpha/setup/courses/{one.public_id}/questions/{question.public_id}/remove/")
    assert response.status_code == 404
    assert len(rows(world, QuizQuestion, course=other)) == 3


@pytest.mark.parametrize("courses", [1, 5])
def test_the_course_list_costs_the_same_queries_for_any_number_of_courses(manager, world, django_assert_num_queries, courses):
    with tenant_context(world.a.tenant.pk):
        for n in range(courses):
            training_course_for(world.a.tenant, title=f"Course {n}")
    # 1 session, 2 user, 3 tenant by slug; the tenant transaction: 4 savepoint, 5 set_config,
    # 6 membership; 7 the paginator's count, 8-12 base.html's switcher of the person's programs (savepoint,
    # set_config without tenant, memberships, set_config back, release), 13 the page of courses with
    # their module and question counts, 14 release, 15 set_config cleared.
    with django_assert_num_queries(15):
        response = manager.get("/t/alpha/setup/courses/")
    assert response.content.decode().count('data-testid="setup-course"') == courses


# --- views: learning paths -----------------------------------------------------------------------


def test_a_manager_sets_up_a_learning_path_in_the_portal(manager, world):
    with tenant_context(world.a.tenant.pk):
        one, two = training_course_for(world.a.tenant, title="One"), training_course_for(world.a.tenant, title="Two")
    manager.post("/t/alpha/setup/paths/", {"track": "sales", "sales-title": "Sell Acme", "sales-description": "Start here."})
    [path] = rows(world, LearningPath)
    for course in (one, two):
        manager.post(f"/t/alpha/setup/paths/{path.public_id}/courses/", {"course": course.public_id})
    manager.post(f"/t/alpha/setup/paths/{path.public_id}/courses/{two.public_id}/move/", {"direction": "up"})
    entries = sorted(rows(world, LearningPathCourse), key=lambda e: e.position)
    assert [(e.position, e.course_id) for e in entries] == [(1, two.pk), (2, one.pk)]
    page = manager.get("/t/alpha/setup/paths/").content.decode()
    assert page.index(">Two<") < page.index(">One<")


def test_a_refused_path_keeps_what_was_typed(manager, world):
    response = manager.post(
        "/t/alpha/setup/paths/", {"track": "technical", "technical-title": "", "technical-description": "Kept"}
    )
    assert response.status_code == 400
    assert "Kept" in response.content.decode()
    assert rows(world, LearningPath) == []


def test_a_course_of_another_tenant_cannot_join_a_path(manager, world):
    with tenant_context(world.b.tenant.pk):
        foreign = training_course_for(world.b.tenant)
    manager.post("/t/alpha/setup/paths/", {"track": "sales", "sales-title": "Sell"})
    [path] = rows(world, LearningPath)
    response = manager.post(f"/t/alpha/setup/paths/{path.public_id}/courses/", {"course": foreign.public_id})
    assert response.status_code == 400
    assert "Choose a course from the list." in response.content.decode()
    assert rows(world, LearningPathCourse) == []


def test_analysts_cannot_change_paths(client, world):
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/setup/paths/").status_code == 200
    assert client.post("/t/alpha/setup/paths/", {"track": "sales", "sales-title": "X"}).status_code == 403
    assert rows(world, LearningPath) == []


# --- views: credential issuers -------------------------------------------------------------------


ISSUER = {"name": "AWS Certification", "slug": "", "endpoint_url": "https://verify.aws.example/check", "is_active": "on"}


def test_an_issuer_is_added_and_its_secret_only_ever_shown_masked(manager, world):
    response = manager.post("/t/alpha/setup/issuers/new/", {**ISSUER, "secret": "top-secret-4821"})
    assert response["Location"] == "/t/alpha/setup/issuers/"
    [issuer] = rows(world, CredentialIssuer)
    assert (issuer.slug, issuer.is_active) == ("aws-certification", True)
    listing = manager.get("/t/alpha/setup/issuers/").content.decode()
    edit = manager.get("/t/alpha/setup/issuers/aws-certification/edit/").content.decode()
    for page in (listing, edit):
        assert "…4821" in page
        assert "top-secret" not in page
    assert "training.credential_issuer_save" in actions(world)


def test_editing_an_issuer_keeps_the_secret_unless_a_new_one_is_typed(manager, world):
    manager.post("/t/alpha/setup/issuers/new/", {**ISSUER, "secret": "first-secret-1111"})
    url = "/t/alpha/setup/issuers/aws-certification/edit/"
    manager.post(url, {**ISSUER, "name": "AWS", "slug": "aws-certification", "secret": ""})
    with tenant_context(world.a.tenant.pk):
        assert CredentialIssuerSecret.objects.get().secret == "first-secret-1111"
    manager.post(url, {**ISSUER, "name": "AWS", "slug": "aws-certification", "secret": "rotated-2222"})
    [issuer] = rows(world, CredentialIssuer)
    with tenant_context(world.a.tenant.pk):
        assert (issuer.name, issuer.secret) == ("AWS", "rotated-2222")


def test_a_refused_issuer_names_the_field_and_keeps_the_name_but_not_the_secret(manager, world):
    response = manager.post(
        "/t/alpha/setup/issuers/new/", {**ISSUER, "endpoint_url": "http://verify.aws.example/check", "secret": "typed-secret"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="AWS Certification"' in page and 'value="http://verify.aws.example/check"' in page
    assert "is-invalid" in page
    assert "typed-secret" not in page
    assert rows(world, CredentialIssuer) == []


def test_issuers_are_read_only_for_analysts_and_hidden_from_partners(client, world):
    client.force_login(world.a.analyst)
    assert client.get("/t/alpha/setup/issuers/").status_code == 200
    assert client.post("/t/alpha/setup/issuers/new/", {**ISSUER, "secret": "x"}).status_code == 403
    client.force_login(world.a.partner1_admin)
    assert client.get("/t/alpha/setup/issuers/").status_code == 404
    assert rows(world, CredentialIssuer) == []
