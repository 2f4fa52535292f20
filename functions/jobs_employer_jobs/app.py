"""GET /api/users/{user_id}/jobs: an employer's job posts, newest first."""

from eckospace.http.marketplace_pages import owner_list_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_list_route(app, JOBS)

lambda_handler = entrypoint(app)
