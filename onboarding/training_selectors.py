"""Reads of training: the partner's course catalogue, a course with its quiz, certifications, vendor overviews."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.accounts.models import PARTNER_ROLES, Membership
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .models import (
    Certification,
    Course,
    CourseCompletion,
    CourseModule,
    LearnerTrack,
    LearningPath,
    LearningPathCourse,
    QuizChoice,
    QuizQuestion,
    Track,
)

# A valid certification that ends within this many days is "expiring": shown in amber, counted as done.
EXPIRING_SOON_DAYS = 30

# --- partner side ------------------------------------------------------------------------------


class CourseProgress(models.TextChoices):
    """Where one person stands on one course. Done means holding a valid certification."""

    CERTIFIED = "certified", _("Certified")
    EXPIRING = "expiring", _("Certification expiring")
    LAPSED = "lapsed", _("Certification lapsed")  # passed once; the certification expired or was revoked
    ATTEMPTED = "attempted", _("Not passed yet")
    NOT_STARTED = "not_started", _("Not started")


DONE = frozenset({CourseProgress.CERTIFIED, CourseProgress.EXPIRING})


@dataclass
class CourseCard:
    course: Course
    completion: CourseCompletion | None
    certification: Certification | None  # the person's current certification, valid or not

    @property
    def certified(self) -> bool:
        return self.certification is not None and self.certification.is_valid

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.certification is not None and self.certification.is_valid_on(today):
            soon = today + datetime.timedelta(days=EXPIRING_SOON_DAYS)
            return CourseProgress.EXPIRING if self.certification.expires_on <= soon else CourseProgress.CERTIFIED
        if self.certification is not None or (self.completion is not None and self.completion.passed):
            return CourseProgress.LAPSED
        if self.completion is not None and self.completion.attempts:
            return CourseProgress.ATTEMPTED
        return CourseProgress.NOT_STARTED

    @property
    def status_label(self) -> str:
        return str(CourseProgress(self.status).label)

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass
class TrackSection:
    track: str
    label: str
    path: LearningPath | None
    cards: list[CourseCard] = field(default_factory=list)


@dataclass
class PathProgress:
    """One assigned track's learning path for one person: its courses in order, with "N of M done"."""

    track: str
    label: str
    path: LearningPath | None
    cards: list[CourseCard] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for card in self.cards if card.done)

    @property
    def total(self) -> int:
        return len(self.cards)

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0


@dataclass
class Catalogue:
    """The person's catalogue: their learning paths first, then every other published course by track."""

    tracks: list[str]
    paths: list[PathProgress]
    sections: list[TrackSection]


def _path_courses(
    courses: list[Course], entries: list[LearningPathCourse]
) -> dict[str, tuple[LearningPath | None, list[Course]]]:
    """Each track's learning path and its published courses in order.

    A track whose path the program has not built yet falls back to the track's published courses
    by title, so an assigned person still sees what to take.
    """
    by_id = {course.pk: course for course in courses}
    result: dict[str, tuple[LearningPath | None, list[Course]]] = {}
    for entry in sorted(entries, key=lambda e: (e.position, e.pk)):
        on_path = result.setdefault(entry.path.track, (entry.path, []))[1]
        if entry.course_id in by_id:  # drafts on a path are not shown, nor counted
            on_path.append(by_id[entry.course_id])
    for track in Track.values:
        if track not in result:
            result[track] = (None, sorted((c for c in courses if c.track == track), key=lambda c: (c.title.casefold(), c.pk)))
    return result


def _path_progress(
    *,
    tracks: list[str],
    path_courses: Mapping[str, tuple[LearningPath | None, list[Course]]],
    completions: dict,
    certifications: dict,
) -> list[PathProgress]:
    labels = dict(Track.choices)
    progress = []
    for track in Track.values:
        if track not in tracks:
            continue
        path, courses = path_courses[track]
        cards = [
            CourseCard(course=course, completion=completions.get(course.pk), certification=certifications.get(course.pk))
            for course in courses
        ]
        progress.append(PathProgress(track=track, label=str(labels[track]), path=path, cards=cards))
    return progress


def training_catalogue(*, tenant: Tenant, user: Any) -> Catalogue:
    """Every published course, with the person's own progress: their tracks' learning paths first, in
    each path's order; then the other courses by track, the track's path order first, then by title.

    Four queries whatever the number of courses or tracks: courses (with module and question counts,
    and the person's tracks as an array the database computes once), the learning paths' entries
    with their paths, the person's completions, their current certifications.
    """
    courses = list(
        Course.objects.filter(tenant=tenant, is_published=True).annotate(
            module_count=Count("modules", distinct=True),
            question_count=Count("questions", distinct=True),
            # Uncorrelated, so PostgreSQL runs it once per query; it saves a query per page view. With
            # no published course there is nothing to show, so not knowing the tracks then is fine.
            my_tracks=ArraySubquery(LearnerTrack.objects.filter(tenant=tenant, user=user).values("track")),
        )
    )
    tracks = list(courses[0].my_tracks) if courses else []
    entries = list(LearningPathCourse.objects.filter(tenant=tenant).select_related("path"))
    position = {(entry.path.track, entry.course_id): entry.position for entry in entries}
    paths = {entry.path.track: entry.path for entry in entries}
    completions = {c.course_id: c for c in CourseCompletion.objects.filter(tenant=tenant, user=user)}
    certifications = {c.course_id: c for c in Certification.objects.filter(tenant=tenant, user=user, is_current=True)}
    my_paths = _path_progress(
        tracks=tracks,
        path_courses=_path_courses(courses, entries),
        completions=completions,
        certifications=certifications,
    )
    on_my_paths = {card.course.pk for path in my_paths for card in path.cards}
    sections = {track: TrackSection(track=track, label=str(label), path=paths.get(track)) for track, label in Track.choices}
    # Courses on the track's path first, in its order; the others after them, by title.
    for course in sorted(courses, key=lambda c: (position.get((c.track, c.pk), 10_000), c.title.casefold(), c.pk)):
        if course.pk in on_my_paths:
            continue
        sections[course.track].cards.append(
            CourseCard(course=course, completion=completions.get(course.pk), certification=certifications.get(course.pk))
        )
    return Catalogue(
        tracks=[track for track in Track.values if track in tracks],
        paths=my_paths,
        sections=[section for section in sections.values() if section.cards],
    )


# --- a partner's people and their training (partner admin's team page, vendor's read-only view) --


@dataclass
class CertificationStanding:
    certification: Certification
    status: str  # "valid", "expiring", "expired" or "revoked"


@dataclass
class PersonTraining:
    """One person of a partner organisation: their tracks, each track's path progress, their certifications."""

    membership: Membership
    tracks: list[str]
    paths: list[PathProgress]
    certifications: list[CertificationStanding]

    @property
    def user(self) -> Any:
        return self.membership.user


def _standing(certification: Certification, today: datetime.date) -> CertificationStanding:
    if certification.revoked_at is not None:
        status = "revoked"
    elif certification.expires_on < today:
        status = "expired"
    elif certification.expires_on <= today + datetime.timedelta(days=EXPIRING_SOON_DAYS):
        status = "expiring"
    else:
        status = "valid"
    return CertificationStanding(certification=certification, status=status)


def team_members_for_training(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """The partner organisation's people: active partner admins and reps, by name."""
    return (
        Membership.objects.filter(tenant=tenant, partner_id=partner_id, is_active=True, role__in=PARTNER_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email", "id")
    )


def access_team_member(*, tenant: Tenant, partner_id: int, public_id: uuid.UUID) -> Membership:
    """One person of the partner organisation, by membership id; another partner's, another tenant's,
    a deactivated member or vendor staff are "not found" alike."""
    try:
        return team_members_for_training(tenant=tenant, partner_id=partner_id).get(public_id=public_id)
    except Membership.DoesNotExist:
        raise NotFoundError() from None


def team_training(*, tenant: Tenant, partner_id: int, membership_id: uuid.UUID | None = None) -> list[PersonTraining]:
    """Every person of the partner organisation (or the one ``membership_id``), with tracks, path progress
    and current certifications.

    Six queries whatever the number of people: 1 the people (memberships with their users), 2 their
    tracks, 3 the published courses, 4 the learning paths' entries with their paths, 5 their
    completions, 6 their current certifications with the courses. No people: the first only.
    """
    members = team_members_for_training(tenant=tenant, partner_id=partner_id)
    if membership_id is not None:
        members = members.filter(public_id=membership_id)
    members = list(members)
    if not members:
        return []
    user_ids = [m.user_id for m in members]
    tracks: dict[int, list[str]] = {}
    for user_id, track in LearnerTrack.objects.filter(tenant=tenant, user_id__in=user_ids).values_list("user_id", "track"):
        tracks.setdefault(user_id, []).append(track)
    courses = list(Course.objects.filter(tenant=tenant, is_published=True))
    path_courses = _path_courses(courses, list(LearningPathCourse.objects.filter(tenant=tenant).select_related("path")))
    completions: dict[int, dict[int, CourseCompletion]] = {}
    for completion in CourseCompletion.objects.filter(tenant=tenant, user_id__in=user_ids):
        completions.setdefault(completion.user_id, {})[completion.course_id] = completion
    certifications: dict[int, dict[int, Certification]] = {}
    for certification in (
        Certification.objects.filter(tenant=tenant, user_id__in=user_ids, is_current=True)
        .select_related("course")
        .order_by("expires_on", "id")
    ):
        certifications.setdefault(certification.user_id, {})[certification.course_id] = certification
    today = timezone.localdate()
    people = []
    for member in members:
        own_certifications = certifications.get(member.user_id, {})
        people.append(
            PersonTraining(
                membership=member,
                tracks=[track for track in Track.values if track in tracks.get(member.user_id, [])],
                paths=_path_progress(
                    tracks=tracks.get(member.user_id, []),
                    path_courses=path_courses,
                    completions=completions.get(member.user_id, {}),
                    certifications=own_certifications,
                ),
                certifications=[_standing(c, today) for c in own_certifications.values()],
            )
        )
    return people


def access_published_course(*, tenant: Tenant, public_id: uuid.UUID) -> Course:
    """A published course with its modules, and its questions with their choices in order; drafts are not found."""
    questions = QuizQuestion.objects.order_by("position", "id").prefetch_related(
        Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id"))
    )
    try:
        return Course.objects.prefetch_related(
            Prefetch("modules", queryset=CourseModule.objects.order_by("position", "id")),
            Prefetch("questions", queryset=questions),
        ).get(tenant=tenant, public_id=public_id, is_published=True)
    except Course.DoesNotExist:
        raise NotFoundError() from None


def completion_for(*, tenant: Tenant, user: Any, course: Course) -> CourseCompletion | None:
    return CourseCompletion.objects.filter(tenant=tenant, user=user, course=course).first()


def current_certification_for(*, tenant: Tenant, user: Any, course: Course) -> Certification | None:
    return Certification.objects.filter(tenant=tenant, user=user, course=course, is_current=True).first()


def certifications_of(*, tenant: Tenant, user: Any) -> QuerySet:
    """The person's certifications, current ones first, newest first."""
    return (
        Certification.objects.filter(tenant=tenant, user=user)
        .select_related("course")
        .order_by("-is_current", "-issued_at", "-id")
    )


def access_certification(*, tenant: Tenant, public_id: uuid.UUID, partner_id: int | None) -> Certification:
    """One certification; partner users (``partner_id``) reach only their own organisation's."""
    queryset = Certification.objects.filter(tenant=tenant).select_related("course", "user", "partner", "revoked_by")
    if partner_id is not None:
        queryset = queryset.filter(partner_id=partner_id)
    try:
        return queryset.get(public_id=public_id)
    except Certification.DoesNotExist:
        raise NotFoundError() from None


# --- vendor side -------------------------------------------------------------------------------


def course_overview(*, tenant: Tenant) -> QuerySet:
    """Every course (drafts too) with how many people attempted, passed and hold a valid certification. One query."""
    today = timezone.localdate()
    return Course.objects.filter(tenant=tenant).annotate(
        attempted=Count("completions", distinct=True),
        passed=Count("completions", filter=Q(completions__passed=True), distinct=True),
        certified=Count(
            "certifications",
            filter=Q(
                certifications__is_current=True,
                certifications__revoked_at__isnull=True,
                certifications__expires_on__gte=today,
            ),
            distinct=True,
        ),
    )


def active_learner_tracks(*, tenant: Tenant) -> QuerySet:
    """Tracks of people who are still on their partner's team: an active partner admin or rep of the
    organisation the track was given in. A deactivated member's tracks stay (they come back if the
    person is reactivated) but nobody counts them."""
    still_on_team = Membership.objects.filter(
        tenant=tenant,
        user=OuterRef("user"),
        partner=OuterRef("partner"),
        is_active=True,
        role__in=PARTNER_ROLES,
    )
    return LearnerTrack.objects.filter(tenant=tenant).filter(Exists(still_on_team))


def partners_on_learning_paths(*, tenant: Tenant) -> list[dict[str, Any]]:
    """Partner organisations whose people have tracks, with how many people: ``public_id``, ``name``, ``people``.

    Only people still on the team count (``active_learner_tracks``); an organisation whose every
    learner has left is not listed. One query.
    """
    return list(
        active_learner_tracks(tenant=tenant)
        .values(public_id=models.F("partner__public_id"), name=models.F("partner__name"))
        .annotate(people=Count("user", distinct=True))
        .order_by("name", "public_id")
    )


class CertificationFilter(django_filters.FilterSet):
    """One filter for the vendor's certification list, in the portal and the API."""

    STATUS_CHOICES = (("valid", _("Valid")), ("expired", _("Expired")), ("revoked", _("Revoked")))

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    course = django_filters.UUIDFilter(label=_("Course"), field_name="course__public_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="filter_status")
    expiring_within_days = django_filters.NumberFilter(
        label=_("Expiring within (days)"), method="filter_expiring", min_value=0, max_value=366
    )

    class Meta:
        model = Certification
        fields = ["q", "course", "status", "expiring_within_days"]

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(credential_number__icontains=value)
            | Q(user__full_name__icontains=value)
            | Q(user__email__icontains=value)
            | Q(partner__name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "valid":
            return queryset.filter(revoked_at__isnull=True, expires_on__gte=today)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_on__lt=today)
        if value == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            revoked_at__isnull=True, expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=int(value))
        )


def certification_list(*, tenant: Tenant) -> QuerySet:
    """Every certification of the tenant, soonest expiry first."""
    return Certification.objects.filter(tenant=tenant).select_related("course", "user", "partner").order_by("expires_on", "id")


def certification_filter(*, tenant: Tenant, data: Mapping[str, Any]) -> CertificationFilter:
    return CertificationFilter(data, queryset=certification_list(tenant=tenant))
