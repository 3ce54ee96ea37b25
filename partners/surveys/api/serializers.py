"""PSAT surveys in the API: output shapes for staff and for partner users, input shapes. Every rule is in
:mod:`partners.surveys.services`. Questions are named by their position (1, 2, …) after the NPS question."""

from __future__ import annotations

from rest_framework import serializers

from partners.models import PartnerType
from partners.surveys.models import QuestionKind
from partners.surveys.services import MAX_QUESTIONS


class SurveyQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=QuestionKind.choices, default=QuestionKind.SCALE_1_5)
    required = serializers.BooleanField(default=True)


class SurveyOutputSerializer(serializers.Serializer):
    """A survey as staff read it: dates, derived status, audience (tier ids are the tiers' public ids)."""

    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    intro = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    status = serializers.CharField(help_text="scheduled, open or closed (from the dates).")
    audience_partner_types = serializers.ListField(child=serializers.CharField(), help_text="Empty: every type.")
    audience_tiers = serializers.ListField(child=serializers.UUIDField(), help_text="Empty: every tier.")
    response_count = serializers.IntegerField()


class SurveyDetailOutputSerializer(SurveyOutputSerializer):
    nps_question = serializers.CharField(help_text="Asked first in every survey, answered 0–10.")
    questions = SurveyQuestionSerializer(many=True, source="questions_list")


class SurveyInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    intro = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(help_text="The last day partners can answer; on or after opens_on.")
    audience_partner_types = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnerType.choices), required=False, default=list
    )
    audience_tiers = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    questions = SurveyQuestionSerializer(many=True, required=False, default=list, max_length=MAX_QUESTIONS)


class GroupFiguresSerializer(serializers.Serializer):
    label = serializers.CharField()
    responses = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True, help_text="% promoters (9–10) − % detractors (0–6).")
    mean_score = serializers.FloatField(allow_null=True, help_text="Mean 0–10 score.")
    psat = serializers.FloatField(allow_null=True, help_text="Mean of every 1–5 answer.")
    questions = serializers.ListField(
        child=serializers.FloatField(allow_null=True), help_text="Mean of each 1–5 question, in order."
    )


class PartnerFiguresSerializer(GroupFiguresSerializer):
    partner = serializers.UUIDField(source="partner_public_id", allow_null=True)
    falling = serializers.BooleanField(help_text="Falling PSAT (see docs/psat.md).")
    change = serializers.FloatField(allow_null=True, help_text="Latest − previous mean 0–10 score.")


class QuestionMeanSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    mean = serializers.FloatField(allow_null=True)


class SurveyResultsOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    responses = serializers.IntegerField()
    nps = serializers.FloatField(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True)
    psat = serializers.FloatField(allow_null=True)
    questions = QuestionMeanSerializer(many=True)
    by_partner_type = GroupFiguresSerializer(many=True)
    by_tier = GroupFiguresSerializer(many=True)
    by_partner = PartnerFiguresSerializer(many=True)


class MyAnswerSerializer(serializers.Serializer):
    nps = serializers.IntegerField()
    answers = serializers.DictField(child=serializers.JSONField(), help_text="{question position: value}.")
    submitted_at = serializers.DateTimeField()


class MySurveyOutputSerializer(serializers.Serializer):
    """A survey as a partner user reads it, with its questions and the user's own answer (null: none yet)."""

    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    intro = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    status = serializers.CharField()
    nps_question = serializers.CharField()
    questions = SurveyQuestionSerializer(many=True)
    my_answer = MyAnswerSerializer(allow_null=True)


class AnswerInputSerializer(serializers.Serializer):
    nps = serializers.IntegerField(help_text="0–10: how likely you are to recommend partnering with the vendor.")
    answers = serializers.DictField(
        child=serializers.JSONField(), required=False, default=dict, help_text="{question position: 1–5 or text}."
    )
