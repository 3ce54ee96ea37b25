"""What a partner's user reads of training in the API: courses to take, their own progress, quiz results."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onboarding.models import Certification, Course, QuizChoice, QuizQuestion

from .training_serializers import CourseModuleOutputSerializer


class QuizChoiceOutputSerializer(serializers.ModelSerializer):
    """One answer to choose. Whether it is correct is never part of any response."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = QuizChoice
        fields = ["id", "position", "text"]
        read_only_fields = fields


class QuizQuestionOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    choices = QuizChoiceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = QuizQuestion
        fields = ["id", "position", "text", "choices"]
        read_only_fields = fields


class MyCertificationSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "credential_number", "issued_at", "renewed_at", "expires_on", "revoked_at", "is_valid"]
        read_only_fields = fields


class MyProgressSerializer(serializers.Serializer):
    """The caller's own record for one course (all zero and ``null`` before a first attempt)."""

    attempts = serializers.IntegerField()
    latest_score = serializers.IntegerField(help_text="Percent, rounded down.")
    best_score = serializers.IntegerField(help_text="Percent, rounded down.")
    passed = serializers.BooleanField()
    first_passed_at = serializers.DateTimeField(allow_null=True)
    certification = MyCertificationSummarySerializer(allow_null=True, help_text="The current certification, valid or not.")


class MyCourseOutputSerializer(serializers.ModelSerializer):
    """A published course with its modules, its quiz questions and the caller's own progress."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    modules = CourseModuleOutputSerializer(many=True, read_only=True)
    questions = QuizQuestionOutputSerializer(many=True, read_only=True)
    my_progress = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ["id", "title", "summary", "track", "pass_mark", "validity_months", "modules", "questions", "my_progress"]
        read_only_fields = fields

    @staticmethod
    def progress_of(course: Course, *, completions: dict, certifications: dict) -> dict:
        completion = completions.get(course.pk)
        certification = certifications.get(course.pk)
        return {
            "attempts": completion.attempts if completion else 0,
            "latest_score": completion.score if completion else 0,
            "best_score": completion.best_score if completion else 0,
            "passed": bool(completion and completion.passed),
            "first_passed_at": completion.completed_at if completion else None,
            "certification": certification,
        }

    @extend_schema_field(MyProgressSerializer)
    def get_my_progress(self, course: Course) -> dict:
        progress = self.progress_of(
            course, completions=self.context["completions"], certifications=self.context["certifications"]
        )
        return MyProgressSerializer(progress).data


class QuizAnswersInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.UUIDField(),
        help_text="Every question's id mapped to the id of the chosen answer.",
    )


class QuizResultOutputSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="Percent of questions answered correctly, rounded down.")
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    pass_mark = serializers.IntegerField()
    passed = serializers.BooleanField()
    renewed = serializers.BooleanField(help_text="True when the pass renewed a valid certification instead of issuing one.")
    certification = MyCertificationSummarySerializer(allow_null=True)
    my_progress = MyProgressSerializer()
