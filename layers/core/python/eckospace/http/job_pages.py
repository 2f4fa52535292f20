"""What the routes that answer pages of jobs share (browsing, `GET /api/jobs`, and search,
`GET /api/jobs/search`): the query parameters that narrow jobs down, and the answer."""

from eckospace.http.marketplace_routes import AMOUNT, body
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES
from eckospace.marketplace.catalogue import EMPLOYMENT_TYPES, JOB_CATEGORIES, PAY_PERIODS


def one_of(values: tuple[str, ...]) -> str:
    return f"^({'|'.join(values)})$"


CATEGORY_PATTERN = one_of(JOB_CATEGORIES)
PERIOD = Query(pattern=one_of(PAY_PERIODS), description="Only jobs paid per this")
MIN_SALARY = Query(pattern=AMOUNT, description="Only jobs whose salary range reaches this (minor units)")
EMPLOYMENT_TYPE = Query(pattern=one_of(EMPLOYMENT_TYPES), description="Only jobs of this type")
REMOTE = Query(pattern="^(true|false)$", description="Only remote jobs, or only others")
PAGE_RESPONSES = {
    200: body("JobPage", "`data` (jobs) and `next_cursor` (null on the last page)"),
    **PROBLEM_RESPONSES,
}
