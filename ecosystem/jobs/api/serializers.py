from rest_framework import serializers

from ecosystem.jobs.models import Job

JOB_KINDS = [("dashboard_metrics", "Recount the program dashboard's figures")]


class JobOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "message", "result", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class JobInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JOB_KINDS)
