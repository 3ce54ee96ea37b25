from rest_framework import serializers

from onboarding.models import Certification, Course, CourseModule


class CourseModuleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseModule
        fields = ["position", "title", "body", "video_url", "asset_url", "asset_label"]
        read_only_fields = fields


class CourseOutputSerializer(serializers.ModelSerializer):
    """A course and its modules. Quiz questions stay out: the API never hands out the answers."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    modules = CourseModuleOutputSerializer(many=True, read_only=True)

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
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


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
