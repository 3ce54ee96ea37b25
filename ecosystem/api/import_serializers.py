"""The shapes every CSV import endpoint answers with when a file is refused (for the OpenAPI document).

An import refused answers 400 in the error envelope (``type``, ``code``, ``detail``, ``attr``, ``errors``)
plus ``rows``: every bad row, in file order. Each import subclasses these to list its own stable codes.
"""

from __future__ import annotations

from rest_framework import serializers

FILE_PROBLEM_CODES = "`not_utf8`, `not_csv`, `empty`, `no_header`, `duplicate_column`, `too_many_rows`, `file_too_large`"


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row as a spreadsheet shows it: the header is row 1.")
    column = serializers.CharField(help_text="The column as named in the file.")
    code = serializers.CharField(help_text="Stable: what is wrong with the cell.")
    message = serializers.CharField()


class ImportInvalidSerializer(serializers.Serializer):
    """The 400 answer: nothing was imported; ``rows`` lists every problem in file order."""

    type = serializers.CharField(help_text="`validation_error`.")
    code = serializers.CharField(help_text=f"`rows_invalid`, or a file problem (`missing_columns`, {FILE_PROBLEM_CODES}).")
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)
    errors = ErrorItemSerializer(many=True)
    rows = ImportRowErrorSerializer(many=True, required=False)
