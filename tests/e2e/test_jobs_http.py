"""Job posts over HTTP through the local stack: an employer posts a remote job with its pay, a
reviewer approves it, a candidate finds it browsing by salary, saves it and applies with a CV they
uploaded, which the employer downloads through the application and nowhere else; an edit to its pay
takes it out of view until it is reviewed again, and once archived it is gone from browsing and
saved items. No route sells a job."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.test_media_presigned_http import api, send, settled, start
from tests.support import sample_files
from tests.support.tokens import mint


def test_a_job_goes_from_draft_through_review_to_browsing_saves_and_archive(stack, api_key, keyring):
    employer = mint(
        keyring, ["marketplace:read", "marketplace:write", "media:read"], subject=f"e-{uuid.uuid4().hex[:8]}"
    )
    candidate = mint(
        keyring,
        ["marketplace:read", "marketplace:write", "media:read", "media:write"],
        subject=f"c-{uuid.uuid4().hex[:8]}",
    )
    reviewer = mint(keyring, ["review:read", "review:write"], subject=f"r-{uuid.uuid4().hex[:8]}")
    fields = {
        "title": "Backend engineer (Python)",
        "company": "Ecko Labs",
        "category": "engineering",
        "employment_type": "full_time",
        "location": {"country": "PT", "city": "Lisbon"},
        "remote": True,
        "salary": {"min": 6_000_000, "max": 7_500_000, "currency": "eur", "period": "year"},
        "description": "Serverless APIs.\nFour days a week.",
        "application": {"type": "in_app"},
    }
    backwards = fields | {"salary": fields["salary"] | {"min": 8_000_000}}
    refused = api(stack, api_key, employer, "POST", "/api/jobs", json=backwards)
    assert refused.status_code == 400 and "salary" in refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"

    created = requests.post(
        stack.url("/api/jobs"),
        json=fields,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {employer}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    job = created.json()
    assert job["status"] == "draft" and created.headers["Location"] == f"/api/jobs/{job['id']}"
    assert api(stack, api_key, candidate, "GET", f"/api/jobs/{job['id']}").status_code == 404

    assert api(stack, api_key, employer, "POST", f"/api/jobs/{job['id']}/submit").status_code == 200
    queue = api(stack, api_key, reviewer, "GET", "/api/review/jobs", params={"limit": "100"}).json()["data"]
    assert job["id"] in [item["id"] for item in queue]
    decided = api(
        stack,
        api_key,
        reviewer,
        "POST",
        f"/api/review/jobs/{job['id']}/decisions",
        json={"action": "approve", "reason": "Pay and place are clear."},
    )
    assert decided.status_code == 201, decided.text

    query = {
        "category": "engineering",
        "sort": "salary_desc",
        "currency": "eur",
        "period": "year",
        "min_salary": "7000000",
        "remote": "true",
        "limit": "100",
    }
    browsed = api(stack, api_key, candidate, "GET", "/api/jobs", params=query)
    assert browsed.status_code == 200 and job["id"] in [item["id"] for item in browsed.json()["data"]]
    above = api(stack, api_key, candidate, "GET", "/api/jobs", params=query | {"min_salary": "7500001"})
    assert job["id"] not in [item["id"] for item in above.json()["data"]]

    assert api(stack, api_key, candidate, "PUT", f"/api/jobs/{job['id']}/save").status_code == 204
    [saved] = api(stack, api_key, candidate, "GET", "/api/saved-items").json()["data"]
    assert saved["type"] == "job" and saved["job"]["id"] == job["id"] and saved["job"]["save_count"] == 1

    cv = sample_files.pdf_bytes(2)
    upload = start(stack, api_key, candidate, "application/pdf", len(cv), "cv.pdf")
    assert send(upload, cv).status_code == 204
    assert settled(stack, api_key, candidate, upload["id"])["status"] == "ready"
    applied = api(
        stack,
        api_key,
        candidate,
        "POST",
        f"/api/jobs/{job['id']}/applications",
        json={"document": upload["id"], "cover_note": "Five years of Lambda."},
    )
    assert applied.status_code == 201, applied.text
    [received] = api(stack, api_key, employer, "GET", f"/api/jobs/{job['id']}/applications").json()["data"]
    assert received["id"] == applied.json()["id"] and received["applicant"] == applied.json()["applicant"]
    assert requests.get(received["document"]["download"]["url"], timeout=10).content == cv
    assert api(stack, api_key, employer, "GET", f"/api/media/{upload['id']}").status_code == 404  # never public
    shortlisted = api(
        stack, api_key, employer, "PATCH", f"/api/applications/{received['id']}", json={"status": "shortlisted"}
    )
    assert shortlisted.status_code == 200 and shortlisted.json()["status"] == "shortlisted"
    [mine] = api(stack, api_key, candidate, "GET", "/api/applications").json()["data"]
    assert mine["status"] == "shortlisted"

    read = api(stack, api_key, employer, "GET", f"/api/jobs/{job['id']}")
    lower = {"salary": fields["salary"] | {"max": 6_500_000}}
    edited = requests.patch(
        stack.url(f"/api/jobs/{job['id']}"),
        json=lower,
        headers={"x-api-key": api_key, "Authorization": f"Bearer {employer}", "If-Match": read.headers["ETag"]},
        timeout=30,
    )
    assert edited.status_code == 200 and edited.json()["status"] == "pending_review"
    assert api(stack, api_key, candidate, "GET", f"/api/jobs/{job['id']}").status_code == 404
    assert api(stack, api_key, candidate, "GET", "/api/saved-items").json()["data"] == []

    assert api(stack, api_key, employer, "POST", f"/api/jobs/{job['id']}/mark-sold").status_code == 403  # no route
    archived = api(stack, api_key, employer, "POST", f"/api/jobs/{job['id']}/archive")
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    again = api(stack, api_key, employer, "POST", f"/api/jobs/{job['id']}/renew")
    assert again.status_code == 409 and again.json()["allowed_actions"] == []
