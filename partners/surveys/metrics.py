"""What the PSAT figures mean, in one place: pure functions over pandas frames (no database, no loop per row).

The frames (built by :mod:`partners.surveys.selectors`, one query each):

* **responses**: one row per survey response: ``response_id``, ``survey_id``, ``opens_on`` (the
  survey's), ``partner_id``, ``nps`` (0–10), ``submitted_on`` (the local day of the latest submission),
  plus any grouping columns (``partner_type``, ``tier``, ``program``).
* **scale answers**: one row per answer to a 1–5 question: ``response_id``, ``question_id``, ``value``
  (1–5), and for :func:`partner_psat` also ``partner_id``, ``survey_id``, ``opens_on``, ``submitted_on``.

Definitions:

* **NPS** of a group of responses = % promoters (a 0–10 score of 9 or 10) − % detractors (0 to 6), from
  −100 to 100; passives (7, 8) count in the denominator only. Each *respondent* counts once.
* **Mean score**: the mean of the 0–10 scores. **Question mean**: the mean of a 1–5 question's answers
  (respondents who skipped it are left out). **PSAT mean**: the mean of every 1–5 answer in the group.
* **A partner's PSAT** (the satisfaction component of the health score): see :func:`partner_psat`.
* **Falling PSAT**: see :func:`falling_psat`.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

PROMOTER_MIN = 9  # 9 and 10 are promoters
DETRACTOR_MAX = 6  # 0 to 6 are detractors; 7 and 8 are passives
PSAT_WINDOW_DAYS = 365
FALL_POINTS = 1.5  # a drop of the partner's mean 0–10 score by at least this much flags it

# NPS categories of a (mean) 0–10 score, ordered: a lower code is worse.
DETRACTOR, PASSIVE, PROMOTER = 0, 1, 2
CATEGORY_NAMES = {DETRACTOR: "detractor", PASSIVE: "passive", PROMOTER: "promoter"}


def nps(scores) -> float:
    """% promoters − % detractors of these 0–10 scores (NaN when there are none)."""
    values = np.asarray(scores, dtype=np.float64)
    if not len(values):
        return float("nan")
    return float(100.0 * ((values >= PROMOTER_MIN).mean() - (values <= DETRACTOR_MAX).mean()))


def nps_category(scores) -> np.ndarray:
    """The NPS category code of each (mean) 0–10 score: promoter at 9 or more, passive from 7 to under 9,
    detractor under 7. A mean of 8.5 is a passive, 6.5 a detractor."""
    values = np.asarray(scores, dtype=np.float64)
    return np.where(values >= PROMOTER_MIN, PROMOTER, np.where(values >= DETRACTOR_MAX + 1, PASSIVE, DETRACTOR))


def group_figures(responses: pd.DataFrame, scale: pd.DataFrame, *, by: list[str]) -> pd.DataFrame:
    """Per group of ``by`` columns: ``responses``, ``nps``, ``mean_score`` (0–10), ``psat`` (mean of every
    1–5 answer, NaN without any) and ``question_<id>`` (mean of each 1–5 question), sorted by the groups."""
    columns = ["responses", "nps", "mean_score", "psat"]
    if responses.empty:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_tuples([], names=by) if len(by) > 1 else None)
    scored = responses.assign(
        promoter=(responses["nps"] >= PROMOTER_MIN).astype(np.float64),
        detractor=(responses["nps"] <= DETRACTOR_MAX).astype(np.float64),
        nps=responses["nps"].astype(np.float64),
    )
    grouped = scored.groupby(by, dropna=False, sort=True)
    out = grouped.agg(
        responses=("response_id", "size"),
        mean_score=("nps", "mean"),
        promoters=("promoter", "mean"),
        detractors=("detractor", "mean"),
    )
    out["nps"] = 100.0 * (out["promoters"] - out["detractors"])
    answers = scale[["response_id", "question_id", "value"]].merge(responses[["response_id", *by]], on="response_id")
    if answers.empty:
        out["psat"] = np.nan
    else:
        values = answers.assign(value=answers["value"].astype(np.float64))
        out["psat"] = values.groupby(by, dropna=False)["value"].mean()
        per_question = values.groupby([*by, "question_id"], dropna=False)["value"].mean().unstack("question_id")
        per_question.columns = [f"question_{int(c)}" for c in per_question.columns]
        out = out.join(per_question)
    return out.drop(columns=["promoters", "detractors"])[columns + [c for c in out.columns if c.startswith("question_")]]


def partner_psat(answers: pd.DataFrame, *, as_of: datetime.date, partner_ids) -> np.ndarray:
    """Each partner's PSAT as of ``as_of``, on the 1–5 scale, aligned with ``partner_ids`` (NaN: none).

    Exactly: take the partner's answers to 1–5 questions from responses whose latest submission fell
    on a day in [as_of − 365 days, as_of) (point in time: nothing submitted on or after ``as_of``
    counts). Among the surveys those answers belong to, take the latest (the one that opened last;
    the higher survey id on the same day). The PSAT is the mean of every 1–5 answer of the partner's
    respondents in that survey, each answer counting once. A partner with no such answer has none
    (NaN): its health score leaves satisfaction out. Text answers and the 0–10 score do not count.

    ``answers``: ``partner_id``, ``survey_id``, ``opens_on``, ``submitted_on``, ``value``.
    """
    ids = np.asarray(partner_ids, dtype=np.int64)
    if answers.empty or not len(ids):
        return np.full(len(ids), np.nan)
    day = pd.to_datetime(answers["submitted_on"])
    since = pd.Timestamp(as_of - datetime.timedelta(days=PSAT_WINDOW_DAYS))
    window = answers[(day >= since) & (day < pd.Timestamp(as_of)) & answers["partner_id"].isin(ids)]
    if window.empty:
        return np.full(len(ids), np.nan)
    ordered = window.sort_values(["partner_id", "opens_on", "survey_id"])
    latest = ordered.groupby("partner_id", sort=False)["survey_id"].last().rename("latest_survey_id")
    chosen = window.join(latest, on="partner_id")
    chosen = chosen[chosen["survey_id"] == chosen["latest_survey_id"]]
    means = chosen.assign(value=chosen["value"].astype(np.float64)).groupby("partner_id")["value"].mean()
    return means.reindex(ids).to_numpy(dtype=np.float64)


def falling_psat(responses: pd.DataFrame, *, as_of: datetime.date | None = None) -> pd.DataFrame:
    """Per partner that answered at least one survey: its latest and previous answered survey and the flag.

    A partner's score in a survey is the mean 0–10 score of its respondents there. Its *latest* answered
    survey is the one that opened last among those it answered (responses submitted before ``as_of``
    when given), its *previous* the one before. **Falling** when the latest score is at least
    1.5 points below the previous one, **or** its NPS category fell (promoter → passive or
    detractor, passive → detractor; the category of a mean score as in :func:`nps_category`).
    A partner with one answered survey is never falling.

    Columns, indexed by ``partner_id``: ``latest_survey_id``, ``latest_score``, ``latest_category``,
    ``previous_survey_id``, ``previous_score``, ``previous_category``, ``change`` (latest − previous)
    and ``falling`` (bool).
    """
    columns = [
        "latest_survey_id",
        "latest_score",
        "latest_category",
        "previous_survey_id",
        "previous_score",
        "previous_category",
        "change",
        "falling",
    ]
    rows = responses
    if as_of is not None and not rows.empty:
        rows = rows[pd.to_datetime(rows["submitted_on"]) < pd.Timestamp(as_of)]
    if rows.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="partner_id"))
    per_survey = (
        rows.assign(nps=rows["nps"].astype(np.float64))
        .groupby(["partner_id", "opens_on", "survey_id"], sort=True)["nps"]
        .mean()
        .rename("score")
        .reset_index()
    )
    per_survey["back"] = per_survey.groupby("partner_id").cumcount(ascending=False)  # 0 = latest, 1 = previous
    latest = per_survey[per_survey["back"] == 0].set_index("partner_id")[["survey_id", "score"]]
    previous = per_survey[per_survey["back"] == 1].set_index("partner_id")[["survey_id", "score"]]
    out = latest.add_prefix("latest_").join(previous.add_prefix("previous_"), how="left")
    out["latest_category"] = nps_category(out["latest_score"])
    has_previous = out["previous_score"].notna().to_numpy()
    previous_category = nps_category(out["previous_score"].fillna(0.0))
    out["previous_category"] = np.where(has_previous, previous_category, -1)
    out["change"] = out["latest_score"] - out["previous_score"]
    dropped = np.round(-out["change"].to_numpy(dtype=np.float64), 9) >= FALL_POINTS  # NaN compares False
    fell = has_previous & (out["latest_category"].to_numpy() < previous_category)
    out["falling"] = dropped | fell
    return out[columns]
