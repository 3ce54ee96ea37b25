from rest_framework import serializers

from ecosystem.accounts.models import Membership
from onboarding.models import (
    Certification,
    Course,
    CourseModule,
    LearningPath,
    LearningPathCourse,
    QuizChoice,
    QuizQuestion,
    Track,
)
from onboarding.training_setup import MAX_CHOICES


class CourseModuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseModule
        fields = ["position", "title", "body", "video_url", "asset_url", "asset_label"]
        read_only_fields = fields


class CourseQuestionOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = QuizQuestion
        fields = ["id", "position", "text"]
        read_only_fields = fields


class CourseOutputSerializer(serializers.ModelSerializer):
    """A course, its modules and its quiz questions (their ids and text: the answers are read one question
    at a time, by vendor staff, at ``courses/{id}/questions/{question_id}/``)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    modules = CourseModuleOutputSerializer(many=True, read_only=True)
    questions = CourseQuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "summary",
            "track",
            "pass_mark",
            "validity_months",
            "is_published",
            "modules",
            "questions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CourseInputSerializer(serializers.Serializer):
    """A course's details, as the portal's course form (the service checks the ranges and the track)."""

    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    track = serializers.ChoiceField(choices=Track.choices)
    pass_mark = serializers.IntegerField(
        min_value=1, max_value=100, default=80, help_text="The share of questions to answer right."
    )
    validity_months = serializers.IntegerField(min_value=1, max_value=120, default=24)


class CourseModuleInputSerializer(serializers.Serializer):
    """A module's content, as the portal's module form (the service checks the links are https)."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Plain text; blank lines part paragraphs."
    )
    video_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", help_text="https://…")
    asset_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", help_text="https://…")
    asset_label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class MoveInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=["up", "down"], help_text="Swap with the row before (up) or after (down); at either end nothing changes."
    )


class StaffQuizChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuizChoice
        fields = ["text", "is_correct"]
        extra_kwargs = {"is_correct": {"required": False, "default": False}}


class StaffQuizQuestionOutputSerializer(serializers.ModelSerializer):
    """A quiz question with its answers and which are correct: vendor staff's view, as the portal's question form."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    choices = StaffQuizChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = QuizQuestion
        fields = ["id", "position", "text", "choices"]
        read_only_fields = fields


class StaffQuizQuestionInputSerializer(serializers.Serializer):
    """The question and all its answers (they replace the ones it had, position by position)."""

    text = serializers.CharField(max_length=500)
    choices = serializers.ListField(
        child=StaffQuizChoiceSerializer(),
        max_length=MAX_CHOICES,
        help_text=f"From two to {MAX_CHOICES} answers, at least one correct.",
    )


class LearningPathCourseOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="course.public_id", read_only=True, help_text="The course's id.")
    title = serializers.CharField(source="course.title", read_only=True)
    is_published = serializers.BooleanField(source="course.is_published", read_only=True)

    class Meta:
        model = LearningPathCourse
        fields = ["position", "id", "title", "is_published"]
        read_only_fields = fields


class LearningPathOutputSerializer(serializers.ModelSerializer):
    """One track's learning path and its courses, in the order partners' people take them."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    courses = LearningPathCourseOutputSerializer(source="entries", many=True, read_only=True)

    class Meta:
        model = LearningPath
        fields = ["id", "track", "title", "description", "courses"]
        read_only_fields = fields


class LearningPathInputSerializer(serializers.Serializer):
    """The track's path: created with the first save, its title and description changed by later ones."""

    track = serializers.ChoiceField(choices=Track.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LearningPathCourseInputSerializer(serializers.Serializer):
    course = serializers.UUIDField(help_text="A course of the path's track, not yet on the path.")


class CertificationRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Kept in the record and the audit log.")


class CertificationOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    course = serializers.UUIDField(source="course.public_id", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    holder = serializers.UUIDField(source="user.public_id", read_only=True)
    holder_name = serializers.CharField(source="user.get_full_name", read_only=True)
    holder_email = serializers.EmailField(source="user.email", read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certification
        fields = [
            "id",
            "credential_number",
            "partner",
            "course",
            "course_title",
            "holder",
            "holder_name",
            "holder_email",
            "issued_at",
            "renewed_at",
            "expires_on",
            "revoked_at",
            "is_current",
            "is_valid",
        ]
        read_only_fields = fields


class LearnerOutputSerializer(serializers.ModelSerializer):
    """A person of a partner organisation and the tracks (learning paths) their partner admin assigned."""

    id = serializers.UUIDField(source="public_id", read_only=True, help_text="The person's membership id in this program.")
    user = serializers.UUIDField(source="user.public_id", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)
    tracks = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "email", "role", "partner", "tracks"]
        read_only_fields = fields

    def get_tracks(self, membership: Membership) -> list[str]:
        assigned = set(getattr(membership, "tracks", None) or ())
        return [track for track in Track.values if track in assigned]


class LearnerTracksInputSerializer(serializers.Serializer):
    tracks = serializers.ListField(
        child=serializers.CharField(max_length=20),
        allow_empty=True,
        help_text="Every track the person follows from now on (sales, technical, admin); the others are removed.",
    )
