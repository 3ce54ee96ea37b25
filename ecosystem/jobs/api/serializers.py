from rest_framework import serializers

from ecosystem.jobs.models import Job

JOB_KINDS = [("dashboard_metrics", "Recount the program dashboard's figures")]


class JobOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "message", "result", "created_at", "started_at", "finished_at"]
        read_only_fields = fields

    def to_representation(self, instance: Job) -> dict:
        data = super().to_representation(instance)
        if isinstance(data.get("result"), dict):
            # where a file sits in private storage is the server's business; exports download by their id
            data["result"] = {k: v for k, v in data["result"].items() if k != "path"}
        return data


class JobInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JOB_KINDS)
