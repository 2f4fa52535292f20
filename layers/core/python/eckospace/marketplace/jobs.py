"""Job posts: work offered by an employer. What is theirs alone: their fields and how a reader sees
them; the rest (reads, edits, the lifecycle, review, saves, expiry) is every posting's
(`postings`). A job is never sold: its employer archives it once filled."""

from __future__ import annotations

from typing import Any

from eckospace.allowances import DailyAllowance, Quantity
from eckospace.marketplace import postings, settings
from eckospace.marketplace.kinds import JOB

FIELDS = JOB.editable
# Counted apart from listings, with the same daily limit.
DAILY_JOBS = DailyAllowance("jobs", (Quantity("jobs", "used", "daily_limit", settings.DAILY_LISTINGS),))


def view(job: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees (`eckospace.marketplace.models.Job`)."""
    return {
        "id": job["id"],
        "object": "job",
        "employer": job["employer"],
        **{name: job[name] for name in FIELDS},
        **postings.lifecycle_view(job),
    }


def create(employer: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A new draft job post (`fields` as the create body checked them)."""
    job = postings.new_draft(JOB, employer) | {name: fields[name] for name in FIELDS}
    return postings.insert(job, DAILY_JOBS)


def read(job_id: str, viewer: str) -> dict[str, Any]:
    return postings.read(job_id, JOB, viewer)


def update(job_id: str, employer: str, changes: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
    return postings.update(job_id, JOB, employer, changes, if_match=if_match)
