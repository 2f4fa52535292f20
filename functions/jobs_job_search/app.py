"""GET /api/jobs/search: keyword search over published job posts, with filters."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.job_pages import (
    CATEGORY_PATTERN,
    EMPLOYMENT_TYPE,
    MIN_SALARY,
    PAGE_RESPONSES,
    PERIOD,
    REMOTE,
    one_of,
)
from eckospace.http.marketplace_routes import CURRENCY, CURSOR, LIMIT
from eckospace.http.params import Query
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.marketplace.kinds import JOB
from eckospace.marketplace.search.documents import JOBS
from eckospace.marketplace.search.query import Criteria, search

app = make_resolver()


@app.get(
    "/api/jobs/search",
    summary="Search jobs",
    description=(
        "Published jobs that match keywords `q` (English stems: `engineer` finds `engineers`; any word "
        "suffices, title matches count more than the company's name and the description) and every filter given. "
        "`sort=relevance` is the default with `q`, `newest` without (relevance without `q` is newest); "
        "`salary_asc` and `salary_desc` order by the top of the salary range, grouped by currency and then pay "
        "period (name one `currency` and one `period` to compare salaries). `min_salary` (minor units) keeps the "
        "jobs whose range reaches it; `q` with no word in it matches nothing. `city` matches whatever its case. The "
        "index follows changes within seconds; each page is read as jobs are now, so one withdrawn meanwhile is "
        "left out (a page may then be shorter than `limit` and still have a `next_cursor`). Pages stay stable while "
        "jobs are published: pass `next_cursor` back as `cursor`."
    ),
    tags=["Jobs"],
    responses=PAGE_RESPONSES,
    **requires("marketplace:read"),
)
def search_jobs(
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="Keywords")] = None,
    category: Annotated[str | None, Query(pattern=CATEGORY_PATTERN, description="Only jobs in this category")] = None,
    employment_type: Annotated[str | None, EMPLOYMENT_TYPE] = None,
    remote: Annotated[str | None, REMOTE] = None,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="Only jobs in this country (ISO 3166-1 alpha-2)")
    ] = None,
    city: Annotated[str | None, Query(min_length=1, max_length=100, description="Only jobs in this city")] = None,
    currency: Annotated[str | None, CURRENCY] = None,
    period: Annotated[str | None, PERIOD] = None,
    min_salary: Annotated[str | None, MIN_SALARY] = None,
    sort: Annotated[
        str | None,
        Query(pattern=one_of(JOBS.sorts), description="`relevance`, `newest`, `salary_asc` or `salary_desc`"),
    ] = None,
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    filters = {"category": category, "employment_type": employment_type, "remote": remote, "country": country}
    filters |= {"city": city, "currency": currency, "period": period}
    criteria = Criteria(q=q, filters=filters, low=None if min_salary is None else int(min_salary), sort=sort)
    page = search(JOB, criteria, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
