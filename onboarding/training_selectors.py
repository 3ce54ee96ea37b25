"""Reads of training: the partner's course catalogue, a course with its quiz, certifications, vendor overviews."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .models import (
    Certification,
    Course,
    CourseCompletion,
    CourseModule,
    LearningPath,
    LearningPathCourse,
    QuizChoice,
    QuizQuestion,
    Track,
)

# --- partner side ------------------------------------------------------------------------------


@dataclass
class CourseCard:
    course: Course
    completion: CourseCompletion | None
    certification: Certification | None  # the person's current certification, valid or not

    @property
    def certified(self) -> bool:
        return self.certification is not None and self.certification.is_valid


@dataclass
class TrackSection:
    track: str
    label: str
    path: LearningPath | None
    cards: list[CourseCard] = field(default_factory=list)


def training_catalogue(*, tenant: Tenant, user: Any) -> list[TrackSection]:
    """Every published course by track, in its learning path's order, with the person's own progress.

    Four queries whatever the number of courses: courses (with module and question counts), the
    learning paths' entries with their paths, the person's completions, their current certifications.
    """
    courses = list(
        Course.objects.filter(tenant=tenant, is_published=True).annotate(
            module_count=Count("modules", distinct=True), question_count=Count("questions", distinct=True)
        )
    )
    entries = list(LearningPathCourse.objects.filter(tenant=tenant).select_related("path"))
    position = {(entry.path.track, entry.course_id): entry.position for entry in entries}
    paths = {entry.path.track: entry.path for entry in entries}
    completions = {c.course_id: c for c in CourseCompletion.objects.filter(tenant=tenant, user=user)}
    certifications = {c.course_id: c for c in Certification.objects.filter(tenant=tenant, user=user, is_current=True)}
    sections = {track: TrackSection(track=track, label=str(label), path=paths.get(track)) for track, label in Track.choices}
    # Courses on the track's path first, in its order; the others after them, by title.
    for course in sorted(courses, key=lambda c: (position.get((c.track, c.pk), 10_000), c.title.casefold(), c.pk)):
        sections[course.track].cards.append(
            CourseCard(course=course, completion=completions.get(course.pk), certification=certifications.get(course.pk))
        )
    return [section for section in sections.values() if section.cards]


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
