"""Denied-party screening in the API: lists, matches, and the all-or-nothing upload's error body."""

from __future__ import annotations

from rest_framework import serializers

from ecosystem.api.import_serializers import ErrorItemSerializer
from onboarding.models import MatchStatus, ScreeningList, ScreeningMatch


class ScreeningListOutputSerializer(serializers.ModelSerializer):
    """One upload of the denied-party list. The newest one is the list in force."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    layout = serializers.CharField(
        read_only=True, help_text="`columns` (a CSV with a header) or `sdn` (the U.S. Treasury sdn.csv)."
    )
    entries = serializers.IntegerField(read_only=True, help_text="How many listed parties it holds.")

    class Meta:
        model = ScreeningList
        fields = ["id", "file_name", "layout", "entries", "uploaded_at"]
        read_only_fields = fields


class ScreeningUploadOutputSerializer(ScreeningListOutputSerializer):
    rescreen_job = serializers.UUIDField(
        read_only=True, help_text="The background job screening everyone again against the new list; poll it at jobs/<id>/."
    )

    class Meta(ScreeningListOutputSerializer.Meta):
        fields = [*ScreeningListOutputSerializer.Meta.fields, "rescreen_job"]
        read_only_fields = fields


class ScreeningUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The list as CSV: a header naming `name` (required), `aliases` (separated by `;`), `country`, "
        "`program`; or the U.S. Treasury sdn.csv as published."
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Line in the file (the header is line 1); null: the whole file.")
    column = serializers.CharField(allow_null=True)
    code = serializers.CharField(help_text="Stable, for example `name_required`, `unknown_country`.")
    detail = serializers.CharField()


class ScreeningListInvalidSerializer(serializers.Serializer):
    """The 400 answer to a list with problems: nothing was imported; ``rows`` names every bad row."""

    type = serializers.CharField(help_text="`validation_error`.")
    code = serializers.CharField(help_text="`screening_list_invalid`, or a field code such as `required`.")
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)
    errors = ErrorItemSerializer(many=True)
    rows = RowErrorSerializer(many=True, required=False, help_text="Every problem of the file, in file order.")


class ScreeningMatchOutputSerializer(serializers.ModelSerializer):
    """A possible hit of an applicant or a partner on the list. Open matches block the application's approval."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    subject = serializers.SerializerMethodField(help_text="Who was screened: `application` or `partner`.")
    application = serializers.UUIDField(source="application.public_id", read_only=True, allow_null=True, default=None)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=MatchStatus.choices, read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Why the names were matched.")

    class Meta:
        model = ScreeningMatch
        fields = [
            "id",
            "subject",
            "application",
            "partner",
            "subject_name",
            "listed_name",
            "listed_country",
            "listed_program",
            "score",
            "reasons",
            "status",
            "cleared_reason",
            "cleared_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_subject(self, match: ScreeningMatch) -> str:
        return "application" if match.application_id else "partner"


class ClearMatchInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Why this is not the listed party; required."
    )
