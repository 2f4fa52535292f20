"""Pages of postings, declared once for listings and jobs (`marketplace_routes.Postings`): an
owner's, and the review queue; apart, since only listing functions hold the keys that sign cursors.

The handlers' annotations name the kind's own parameters, so they are evaluated where they are
written (no `from __future__ import annotations` here)."""

from typing import Annotated, Any

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, Postings, body
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response


def owner_list_route(app: Any, postings: Postings) -> None:
    """`GET /api/users/<user_id>/<collection>`: an owner's postings, newest first."""

    def list_owner_postings(
        user_id: Annotated[str, Path(max_length=128)],
        limit: Annotated[str, LIMIT] = "20",
        cursor: Annotated[str | None, CURSOR] = None,
    ) -> Any:
        from eckospace.marketplace.browse import owner_postings

        page = owner_postings(postings.kind, user_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
        return json_response(page, headers={"Cache-Control": "private, no-cache"})

    app.get(
        f"/api/users/<user_id>/{postings.collection}",
        summary=f"A{'n' if postings.owner[0] in 'aeiou' else ''} {postings.owner}'s {postings.collection}",
        description=(
            f"Newest first. Your own holds every {postings.noun} of yours, whatever its status; anyone else's holds "
            "only its published ones (a page may then be shorter than `limit` and still have a `next_cursor`)."
        ),
        tags=[postings.tag],
        responses={
            200: body(f"{postings.model}Page", f"`data` ({postings.collection}) and `next_cursor`"),
            **PROBLEM_RESPONSES,
        },
        **requires("marketplace:read"),
    )(list_owner_postings)


def review_queue_route(app: Any, postings: Postings) -> None:
    """`GET /api/review/<collection>`: what waits for review, oldest first."""

    def list_pending(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None) -> Any:
        from eckospace.marketplace.browse import review_queue

        page = review_queue(postings.kind, limit=int(limit), cursor=cursor)
        return json_response(page, headers={"Cache-Control": "private, no-store"})

    app.get(
        f"/api/review/{postings.collection}",
        summary=f"The {postings.noun} review queue",
        description=(
            f"{postings.collection.capitalize()} in `pending_review`, the longest waiting first. A decision takes "
            "one out."
        ),
        tags=["Marketplace review"],
        responses={
            200: body(f"{postings.model}Page", f"`data` ({postings.collection}) and `next_cursor`"),
            **PROBLEM_RESPONSES,
        },
        **requires("review:read"),
    )(list_pending)
