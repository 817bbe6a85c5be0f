"""The sample study in memory (:class:`SampleStudy`) and its codebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jtbd_methods.errors import JTBDError
from jtbd_methods.resources import codebook_path


class SampleStudyExistsError(JTBDError, FileExistsError):
    """The target folder exists and is not a sample study that may be overwritten."""


@dataclass(frozen=True)
class SampleStudy:
    """Every table of the synthetic sample study, its configuration and the planted truth.

    Attributes
    ----------
    config : dict
        Contents of ``study.yaml``.
    codebook : dict
        The sample's codebook (``templates/codebooks/recovery_sample.yaml``) as plain data.
    feedback : pandas.DataFrame
        ``comment_id``, ``received`` (datetime), ``site``, ``service``, ``rating`` (Int64,
        may be NA), ``comment`` (str, "" when blank), then ``code_<job_id>`` (Int64 0/1, NA for
        comments not hand-coded; coder A) for every job of the codebook.
    second_coding : pandas.DataFrame
        ``comment_id`` and ``code_<job_id>`` (int 0/1) of coder B over the hand-coded comments.
    survey : pandas.DataFrame
        ``respondent_id``, ``wave`` (1-3), ``site``, ``diagnosis_group``, ``imp_<outcome_id>`` and
        ``sat_<outcome_id>`` (Int64 1-5, may be NA), ``overall_satisfaction`` (Int64 1-5).
    staff : pandas.DataFrame
        ``unit``, ``period`` (datetime, first of month), ``engagement`` (float, 0-10, one
        decimal), ``respondents`` (int).
    actions : pandas.DataFrame
        ``action_id``, ``job_id``, ``description``, ``owner``, ``started`` (datetime),
        ``status``, ``sites`` (";"-separated, "" = all sites).
    comment_jobs : pandas.DataFrame
        Truth: ``comment_id``, ``job_id``, ``polarity`` ("disrupted" | "fulfilled"), one row per
        job a comment expresses.
    comment_meta : pandas.DataFrame
        Truth per comment: ``comment_id``, ``kind`` ("job", "generic", "empty",
        "non_english"), ``n_jobs``, ``implicit_jobs`` (";"-separated jobs written without an
        indicator phrase), ``typo`` (the misspelt word or ""), ``identifier`` (kind of planted
        identifier or ""), ``p_positive`` (the planted probability of a rating of 4 or 5).
    segments : pandas.DataFrame
        Truth: ``respondent_id``, ``segment`` (1-4), ``segment_name``.
    truth : dict
        Every planted number (written to ``_truth/planted_truth.json``).
    seed : int
    """

    config: dict[str, Any]
    codebook: dict[str, Any]
    feedback: pd.DataFrame
    second_coding: pd.DataFrame
    survey: pd.DataFrame
    staff: pd.DataFrame
    actions: pd.DataFrame
    comment_jobs: pd.DataFrame
    comment_meta: pd.DataFrame
    segments: pd.DataFrame
    truth: dict[str, Any] = field(repr=False)
    seed: int = 2026

    def summary(self) -> pd.DataFrame:
        """One row per table: ``table``, ``n_rows``, ``n_columns``."""
        names = (
            "feedback",
            "second_coding",
            "survey",
            "staff",
            "actions",
            "comment_jobs",
            "comment_meta",
            "segments",
        )
        return pd.DataFrame(
            {
                "table": list(names),
                "n_rows": [len(getattr(self, n)) for n in names],
                "n_columns": [getattr(self, n).shape[1] for n in names],
            }
        )


def template_codebook_path() -> Path:
    """Path of the sample study's codebook ``recovery_sample.yaml``.

    The sample is written against this frozen 11-job codebook (version 1.0.0 of
    ``healthcare_recovery``), not against the default codebook for real studies, so that its
    clause banks and planted truths stay fixed when the default codebook grows. Found by
    :func:`jtbd_methods.resources.codebook_path` (the package data of a wheel, or the
    repository's ``templates/codebooks/`` in a checkout).

    Raises
    ------
    FileNotFoundError
        When the installation holds no such file.
    """
    try:
        return codebook_path("recovery_sample")
    except JTBDError as exc:
        raise FileNotFoundError(
            f"The sample study's codebook recovery_sample.yaml was not found: {exc}"
        ) from exc
