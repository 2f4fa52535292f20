"""Backend calls per request, counted with botocore event hooks: each function's first (cold)
invocation and a second, warm one, in a fresh child process with the function's sandbox environment.

The hook (`before-call.*.*`, one event per API call, retries not included) is registered on every
client the process creates, whoever creates it: `eckospace.aws.client(...)` for our own calls, and
clients libraries build for themselves (Powertools' parameters utility builds its own SSM client).
Each created client's retry mode and timeouts are reported too.
"""

from __future__ import annotations

from typing import Any

from bench.common import (
    SUCCESS,
    Backend,
    child_main,
    lambda_context,
    load_handler,
    outcome,
    row,
    run_child,
    with_bench_on_path,
)

# The fewest calls each invocation's job allows: a read fetches once, then serves from its cache.
EXPECTED = {"first": 1, "warm": 0}
# The authorizer's job includes one read per token it checks (is it revoked, is its integration
# still enabled), by design: API Gateway caches its answer per token, so that read is per token,
# not per request.
# The Stripe webhook's first delivery: the signing secrets' read (then cached five minutes), one
# conditional write, one send, and one status update (the
# update is what lets a later delivery finish an event whose queueing failed and whose clean-up failed
# too). The warm request here is the same delivery again, a duplicate: the write that finds the
# record, and one read of its status.
# A document upload: the daily allowance's conditional update, one PutObject and one PutItem.
# Posts are read fresh, never from a sandbox cache: a feed page (twenty posts with a document and a
# photo attached each) is one query every time, its attachments' summaries in the page and their
# URLs signed locally; a post one BatchGetItem (the post and its eight count shards). A new reaction
# is one transaction, one read of the post (its author, whom the reaction notifies) and one publish
# of `post.reaction_added`; the warm request repeats the same reaction: the transaction DynamoDB
# refuses (it exists), one read of it, and the announcement again (the read of the post and the
# publish: a retry must not lose an event whose first publish failed); 200 with the reaction as it is. A notifications
# page is one query every time (a user's notifications change under them: never cached).
# Sending a message is one read of the conversation's head, the sender's membership and the client
# message id together (BatchGetItem), one transaction (the head's next seq, the message, the client
# message id, the sender's read state, the per-minute send counter, the block checks), and one
# SendMessage to the realtime fan-out queue; the warm request is the client's retry: the same read
# and the message it made. An inbox page is one query (the unread total sorts first on it).
# A page of a category's listings is one query; the first also reads the cursor keys (once per
# sandbox), since the page has a next one. Creating a listing is one transaction (the listing and
# the seller's daily allowance), and so is saving one (the saved item and the listing's count; the
# warm request saves it again: the same transaction, refused, and nothing changes). Jobs are the
# same: a page of a category in one currency and period by salary is one query (the sample category
# has no job, so no cursor is signed), and posting one is one transaction. A batch of 20 analytics
# events is one SendMessage; a report on a post is one query (its days and hours together), and the
# first one also reads who owns the post (remembered after that: owners never change).
EXPECTED_BY_FUNCTION = {
    "AuthAuthorizerFunction": {"first": 2, "warm": 1},
    "MediaDocumentUploadFunction": {"first": 3, "warm": 3},
    "PaymentsStripeWebhookFunction": {"first": 4, "warm": 2},
    "PostsFeedFunction": {"first": 1, "warm": 1},
    "PostsGetFunction": {"first": 1, "warm": 1},
    "PostsReactionPutFunction": {"first": 3, "warm": 4},
    "ChatMessageCreateFunction": {"first": 3, "warm": 2},
    "ChatConversationListFunction": {"first": 1, "warm": 1},
    "NotificationsListFunction": {"first": 1, "warm": 1},
    "MarketplaceListingBrowseFunction": {"first": 2, "warm": 1},
    "MarketplaceListingCreateFunction": {"first": 1, "warm": 1},
    "MarketplaceSavedItemPutFunction": {"first": 1, "warm": 1},
    "JobsJobBrowseFunction": {"first": 1, "warm": 1},
    "JobsJobCreateFunction": {"first": 1, "warm": 1},
    "AnalyticsEventsIngestFunction": {"first": 1, "warm": 1},
    "AnalyticsObjectReportFunction": {"first": 2, "warm": 1},
}


def run(backend: Backend) -> dict[str, Any]:
    events = backend.sample_events()
    functions, rows = {}, []
    for lid, spec in backend.functions().items():
        if lid not in events:
            continue
        if lid == "PostsReactionPutFunction":
            backend.forget_sample_reaction()  # its first request must be a new reaction
        found = functions[lid] = run_child(
            "bench.backend_calls",
            {"event": events[lid]},
            with_bench_on_path(backend.sandbox_env(spec)),
            cwd=spec.code_dir,
        )
        for label, expected in EXPECTED_BY_FUNCTION.get(lid, EXPECTED).items():
            calls = found["invocations"][label]["calls"]
            rows.append(
                row(
                    f"backend calls, {label} request",
                    lid,
                    len(calls),
                    "calls",
                    peer="fewest the job allows",
                    peer_value=expected,
                    budget=f"<= {expected}",
                    passed=len(calls) <= expected,
                    with_ratio=False,
                )
            )
    expected = {lid: EXPECTED_BY_FUNCTION.get(lid, EXPECTED) for lid in functions}
    return {"expected": expected, "functions": functions, "rows": rows}


# ---------------------------------------------------------------------- the child
class CallCounter:
    """Registers a `before-call` hook on every botocore client created from now on."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.clients: list[dict[str, Any]] = []

    def install(self) -> None:
        import botocore.session

        create_client = botocore.session.Session.create_client
        counter = self

        def counting_create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = create_client(session, *args, **kwargs)
            client.meta.events.register("before-call.*.*", counter.record)
            config = client.meta.config
            counter.clients.append(
                {
                    "service": client.meta.service_model.service_name,
                    "retries": config.retries,
                    "connect_timeout_s": config.connect_timeout,
                    "read_timeout_s": config.read_timeout,
                }
            )
            return client

        botocore.session.Session.create_client = counting_create_client

    def record(self, event_name: str, **_: Any) -> None:
        self.calls.append(event_name.removeprefix("before-call."))


def measure(request: dict[str, Any]) -> dict[str, Any]:
    counter = CallCounter()
    counter.install()
    handler = load_handler()
    invocations = {}
    for label in EXPECTED:
        before = len(counter.calls)
        answer = outcome(handler(request["event"], lambda_context(f"bench-{label}")))
        if answer not in SUCCESS:
            raise RuntimeError(f"{label} invocation answered {answer}")
        invocations[label] = {"outcome": answer, "calls": counter.calls[before:]}
    return {"invocations": invocations, "clients_created": counter.clients}


if __name__ == "__main__":
    child_main(measure)
