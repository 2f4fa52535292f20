"""GET /api/jobs: browse a category's published job posts, newest first or by salary."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.job_pages import CATEGORY_PATTERN, EMPLOYMENT_TYPE, MIN_SALARY, PAGE_RESPONSES, PERIOD, REMOTE
from eckospace.http.marketplace_routes import CURRENCY, CURSOR, LIMIT
from eckospace.http.params import Query
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import Criteria, browse
from eckospace.marketplace.kinds import JOB

app = make_resolver()


@app.get(
    "/api/jobs",
    summary="Browse jobs",
    description=(
        "A category's published jobs. `sort=newest` (the default): newest first. `sort=salary_desc` or "
        "`salary_asc`: by the top of the salary range, grouped by currency and then pay period (alphabetically) "
        "unless you name one `currency` and one `period`. `min_salary` (minor units) keeps the jobs whose range "
        "reaches it. A category by newest, and a category in one currency and period by salary (with "
        "`min_salary` or not), are one query per page; other combinations (and `employment_type`, `remote`) "
        "filter that query, so a page may be shorter than `limit` and still have a `next_cursor`. Ties keep one "
        "order, so pages stay stable while jobs are published. Pass `next_cursor` back as `cursor`."
    ),
    tags=["Jobs"],
    responses=PAGE_RESPONSES,
    **requires("marketplace:read"),
)
def browse_jobs(
    category: Annotated[str, Query(pattern=CATEGORY_PATTERN, description="The category")],
    sort: Annotated[
        str,
        Query(pattern="^(newest|salary_asc|salary_desc)$", description="`newest`, `salary_asc` or `salary_desc`"),
    ] = "newest",
    currency: Annotated[str | None, CURRENCY] = None,
    period: Annotated[str | None, PERIOD] = None,
    min_salary: Annotated[str | None, MIN_SALARY] = None,
    employment_type: Annotated[str | None, EMPLOYMENT_TYPE] = None,
    remote: Annotated[str | None, REMOTE] = None,
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    equal: dict[str, object] = {"salary.currency": currency, "salary.period": period}
    equal |= {"employment_type": employment_type, "remote": None if remote is None else remote == "true"}
    criteria = Criteria(
        category,
        sort.replace("salary", "price"),
        amount="salary.max",
        position=f"{currency}#{period}" if currency and period else None,
        low=None if min_salary is None else int(min_salary),
        equal={path: value for path, value in equal.items() if value is not None},
    )
    page = browse(JOB, criteria, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
