"""POST /api/analytics/events: a batch of view and click events, checked one by one and queued."""

from eckospace.analytics.ingest import ingest
from eckospace.http.analytics_routes import MODELS
from eckospace.http.auth import current_principal, requires
from eckospace.http.body import raw_body
from eckospace.http.documented import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver, with_request_body

app = make_resolver()

# The batch's shape is checked as a whole (400); each event's fields are checked apart, and an event
# that breaks a rule is refused in the answer without failing the others, so the schema leaves its
# fields untyped and says their rules in words.
_FIELD_RULES = {
    "id": "Your id for the event, 1 to 64 of `A-Z a-z 0-9 . _ : -`, unique per person: a retry counts once",
    "type": "`post_view`, `listing_view`, `job_view`, `profile_view` or `link_click`",
    "object": (
        "What was viewed, or holds the link clicked: a post (`pst_`), listing (`lst_`) or job (`job_`) id, or a "
        "person's id for a profile; it must fit `type`"
    ),
    "occurred_at": "When, RFC 3339 with a zone, at most 24 hours ago and at most 5 minutes ahead",
    "url": "`link_click` only: the http(s) link; only its scheme, host and path are kept",
}
BATCH = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "description": "An event (a JSON object); one that breaks a rule is refused in the answer",
                "properties": {name: {"description": rule} for name, rule in _FIELD_RULES.items()},
            },
        }
    },
}


@app.post(
    "/api/analytics/events",
    summary="Send view and click events",
    description=(
        "Up to 100 events in at most 64 KB. Each event is checked on its own: the good ones are queued and counted "
        "within seconds, each once per person however often it is sent again (by its `id`), and each bad one is "
        "listed in `refused` with its reasons. Views of your own things are not counted, nor events about things "
        "that do not exist. Reports never show who did what: see `GET /api/analytics/objects/{object_id}`."
    ),
    tags=["Analytics"],
    responses={
        202: body(f"{MODELS}:EventBatchAccepted", "The good events are queued; the refused ones are listed"),
        400: problem('`urn:eckospace:problem:invalid-request`: not JSON, or not `{"events": [...]}` with 1 to 100'),
        413: problem("`urn:eckospace:problem:payload-too-large`: the body is over 64 KB"),
        **PROBLEM_RESPONSES,
    },
    **with_request_body(requires("analytics:write", tokens=("user",)), {"application/json": {"schema": BATCH}}),
)
def send_events():
    answer = ingest(current_principal(app).subject, raw_body(app.current_event.raw_event))
    return json_response(answer, status=202, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
