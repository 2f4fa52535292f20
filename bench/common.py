"""Shared by every benchmark: the seeded AWS emulator, sample events, child processes, statistics
and the rows of the results table.

Function code never runs in the orchestrating process: each measurement that runs a handler does so
in a child process started with that function's sandbox environment (`sandbox_environment`, the
same one the local stack's workers get), so imports, settings and caches start as they do on Lambda.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from eckolocal.gateway import Gateway, Request
from eckolocal.provision import provision
from eckolocal.stack import (
    Emulator,
    free_port,
    mint_dev_token,
    seed_keys,
    seed_stripe_webhook_secret,
    seed_translations,
)
from eckolocal.template import REGION, FunctionSpec, Route, Template
from eckolocal.workers import sandbox_environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
SEED_DIR = ROOT / "infra" / "seed"
PYTHON = sys.executable
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

# The query each API route's sample request carries (routes not listed get none).
SAMPLE_QUERIES = {
    "/api/translations/app": "locale=fr",
    "/api/listings": "category=sports",
    "/api/jobs": "category=engineering&sort=salary_desc&currency=eur&period=year",
}
# The routes measured: their first request succeeds on a freshly seeded backend. The others need
# state the bench does not build yet (an integration's credentials, a sign-in in progress, a
# session, a reachable OpenID provider), so their first answer would be a 4xx and measure little.
# Posts routes are measured against one post the backend seeds, chat routes against one of the
# sample user's conversations, marketplace routes against a seeded catalogue (SAMPLE_METHODS gives
# the methods measured where a path has several).
DOCUMENT_UPLOAD = "/api/post/editor/media/document/upload"
MEASURED_ROUTES = frozenset(
    {
        "/api/translations/app",
        "/.well-known/jwks.json",
        "/payment/stripe/webhook",
        DOCUMENT_UPLOAD,
        "/api/feed",
        "/api/posts/{post_id}",
        "/api/posts/{post_id}/reaction",
        "/api/notifications",
        "/api/conversations",
        "/api/conversations/{conversation_id}/messages",
        "/api/listings",
        "/api/listings/{listing_id}/save",
        "/api/jobs",
        "/api/analytics/events",
        "/api/analytics/objects/{object_id}",
    }
)
SAMPLE_METHODS = {
    "/api/posts/{post_id}": ("GET",),
    "/api/posts/{post_id}/reaction": ("PUT",),
    "/api/conversations": ("GET",),
    "/api/conversations/{conversation_id}/messages": ("POST",),
    "/api/listings": ("GET", "POST"),  # browse a category; create a listing
    "/api/listings/{listing_id}/save": ("PUT",),
    "/api/jobs": ("GET", "POST"),  # browse a category by salary; post a job
}
SAMPLE_BODIES = {
    "/api/posts/{post_id}/reaction": b'{"type":"like"}',
    # A new client message id each time the events are made, so a benchmark's first request is a
    # new message whatever ran before it; its warm request sends it again (a client's retry).
    "/api/conversations/{conversation_id}/messages": b'{"client_message_id":"bench-%s","text":"Hello, bench"}',
    "/api/listings": json.dumps(
        {
            "title": "Road bike, 56 cm",
            "description": "Steel frame, new tyres.",
            "price": 25000,
            "currency": "eur",
            "category": "sports",
            "condition": "good",
            "location": {"country": "DE", "city": "Berlin"},
        }
    ).encode(),
    "/api/jobs": json.dumps(
        {
            "title": "Backend engineer",
            "company": "Ecko Labs",
            "category": "engineering",
            "employment_type": "full_time",
            "location": {"country": "PT", "city": "Lisbon"},
            "remote": True,
            "salary": {"min": 6000000, "max": 7500000, "currency": "eur", "period": "year"},
            "description": "Serverless APIs.",
            "application": {"type": "in_app"},
        }
    ).encode(),
    # A typical client batch: 20 views of the sample post, each with an id of its own.
    "/api/analytics/events": json.dumps(
        {
            "events": [
                {
                    "id": f"bench-%s-{number}",
                    "type": "post_view",
                    "object": "%p",
                    "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                }
                for number in range(20)
            ]
        }
    ).encode(),
}
STRIPE_WEBHOOK = "/payment/stripe/webhook"
SAMPLE_API_KEY = "bench-api-key"
SAMPLE_SUBJECT = "dev-user"
SAMPLE_SCOPE = (
    "translations:read media:write posts:read posts:write notifications:read chat:read chat:write "
    "marketplace:read marketplace:write analytics:read analytics:write"
)


# ---------------------------------------------------------------------- statistics and rows
def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ratio(ours: float, peer: float) -> float | None:
    return round(ours / peer, 3) if peer else None


def row(
    benchmark: str,
    subject: str,
    value: float,
    unit: str,
    *,
    peer: str | None = None,
    peer_value: float | None = None,
    limit: float | None = None,
    budget: str | None = None,
    passed: bool | None = None,
    with_ratio: bool = True,
) -> dict[str, Any]:
    """One line of the results table. With `limit`, the budget is `ours/peer <= limit`."""
    found = ratio(value, peer_value) if peer_value is not None and with_ratio else None
    if limit is not None:
        budget, passed = f"<= {limit}x", found is not None and found <= limit
    return {
        "benchmark": benchmark,
        "subject": subject,
        "value": round(value, 3),
        "unit": unit,
        "peer": peer,
        "peer_value": None if peer_value is None else round(peer_value, 3),
        "ratio": found,
        "budget": budget,
        "pass": passed,
    }


# ---------------------------------------------------------------------- environment
@contextlib.contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` added, restored as it was afterwards (seeding code reads it)."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def with_bench_on_path(env: dict[str, str]) -> dict[str, str]:
    """`env` plus the repository root on PYTHONPATH, so a child can run `python -m bench.<module>`."""
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**env, "PYTHONPATH": os.pathsep.join([*paths, str(ROOT)])}


# ---------------------------------------------------------------------- the backend
@dataclass
class Backend:
    """moto server seeded as the local stack seeds it: the template's resources, the catalogues,
    the signing keys (JWKS in SSM) and a token with every scope."""

    template: Template
    aws_env: dict[str, str]
    token: str
    stripe_webhook_secret: str
    sample_post_id: str = ""
    sample_conversation_id: str = ""
    sample_listing_id: str = ""

    def functions(self) -> dict[str, FunctionSpec]:
        return self.template.functions()

    def sandbox_env(self, spec: FunctionSpec) -> dict[str, str]:
        return sandbox_environment(spec, self.aws_env)

    def forget_sample_reaction(self) -> None:
        """Take back the sample user's reaction to the sample post, so the next sample reaction is a
        new one (earlier benchmarks may have sent it)."""
        if not self.sample_post_id:
            return
        from eckospace import aws
        from eckospace.config import forget_settings
        from eckospace.posts.reactions import unreact

        environment = self.functions()["PostsReactionDeleteFunction"].environment
        with patched_environ({**self.aws_env, **environment}):
            aws.reset_clients()
            forget_settings()
            try:
                unreact(self.sample_post_id, SAMPLE_SUBJECT)
            finally:
                aws.reset_clients()
                forget_settings()

    def sample_events(self) -> dict[str, dict[str, Any]]:
        ids = {
            "post_id": self.sample_post_id,
            "object_id": self.sample_post_id,  # analytics: the sample user's own post
            "conversation_id": self.sample_conversation_id,
            "listing_id": self.sample_listing_id,
        }
        return sample_events(self.template, self.token, self.stripe_webhook_secret, ids)


@contextlib.contextmanager
def running_backend(workdir: Path) -> Iterator[Backend]:
    emulator = Emulator(free_port())
    emulator.start(workdir / "emulator.log")
    try:
        aws_env = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": emulator.url,
            **EMULATOR_CREDENTIALS,
        }
        template = Template(TEMPLATE_PATH)
        with patched_environ(aws_env):
            session = boto3.session.Session(region_name=REGION)
            provision(template, session)
            seed_translations(template, session, SEED_DIR)
            token, _ = mint_dev_token(template, seed_keys(template, session, {}))
            webhook_secret = seed_stripe_webhook_secret(template, session, {})
            post_id = seed_sample_post(template)
            conversation_id = seed_sample_inbox(template)
            listing_id = seed_sample_catalogue(template)
        yield Backend(
            template=template,
            aws_env=aws_env,
            token=token,
            stripe_webhook_secret=webhook_secret,
            sample_post_id=post_id,
            sample_conversation_id=conversation_id,
            sample_listing_id=listing_id,
        )
    finally:
        emulator.stop()


PATH_PARAMETER = re.compile(r"\{(\w+)\}")

# The feed's first page: posts with attachments as people post them (a PDF and a photo each).
SAMPLE_FEED_POSTS = 20


def seed_sample_post(template: Template) -> str:
    """A feed page of published posts by the sample user, each with a document and an image
    attached; returns the newest post's id, for the posts routes' sample requests ("" without posts)."""
    create = template.functions().get("PostsCreateFunction")
    if "PostsTable" not in template.resources or not create:
        return ""
    from eckospace import aws
    from eckospace.config import forget_settings
    from eckospace.posts.service import create_post

    with patched_environ(create.environment):
        aws.reset_clients()
        forget_settings()
        try:
            post_id = ""
            for number in range(SAMPLE_FEED_POSTS):
                attachments = [_sample_media("document"), _sample_media("image")]
                post_id = create_post(
                    SAMPLE_SUBJECT,
                    text_value=f"Sample post {number} #bench",
                    attachments=attachments,
                    status="published",
                )["id"]
            return post_id
        finally:
            aws.reset_clients()
            forget_settings()


# The inbox's first page: conversations with people who wrote to the sample user.
SAMPLE_CONVERSATIONS = 20


def seed_sample_inbox(template: Template) -> str:
    """A first inbox page: direct conversations in which someone wrote the sample user two messages
    each, delivered to the inboxes as the inbox function does; returns the newest one's id ("" without chat)."""
    functions = template.functions()
    send, inbox = functions.get("ChatMessageCreateFunction"), functions.get("ChatInboxFunction")
    if not send or not inbox:
        return ""
    from eckospace import aws
    from eckospace.chat.conversations import members, open_direct
    from eckospace.chat.inbox import deliver
    from eckospace.chat.messages import load_message, send_message
    from eckospace.config import forget_settings

    with patched_environ({**inbox.environment, **send.environment}):
        aws.reset_clients()
        forget_settings()
        try:
            conversation_id = ""
            for number in range(SAMPLE_CONVERSATIONS):
                peer = f"bench-peer-{number}"
                conversation_id = open_direct(peer, SAMPLE_SUBJECT)[0]["id"]
                for line in range(2):
                    sent, _ = send_message(
                        conversation_id, peer, client_message_id=f"seed-{line}", text=f"Message {line} from {peer}"
                    )
                    message = load_message(conversation_id, sent["seq"])
                    assert message is not None
                    deliver(message, members(conversation_id))
            return conversation_id
        finally:
            aws.reset_clients()
            forget_settings()


# A category's first pages: published listings with two photos each, by other sellers.
SAMPLE_LISTINGS = 40


def seed_sample_catalogue(template: Template) -> str:
    """Published listings in the sample category, each with two photos, as sellers and a reviewer
    leave them; returns the newest one's id ("" without the marketplace)."""
    create = template.functions().get("MarketplaceListingCreateFunction")
    if not create:
        return ""
    from eckospace import aws
    from eckospace.config import forget_settings
    from eckospace.marketplace import listings, postings

    fields = json.loads(SAMPLE_BODIES["/api/listings"])
    with patched_environ(create.environment):
        aws.reset_clients()
        forget_settings()
        try:
            listing_id = ""
            for number in range(SAMPLE_LISTINGS):
                seller = f"bench-seller-{number}"
                photos = [_sample_media("image", owner=seller) for _ in range(2)]
                listing = listings.create(seller, fields | {"title": f"Bike {number}", "attachments": photos})
                listing = postings.move(postings.move(listing, "submit"), "approve")
                listing_id = listing["id"]
            return listing_id
        finally:
            aws.reset_clients()
            forget_settings()


def _sample_media(kind: str, *, owner: str = SAMPLE_SUBJECT) -> str:
    """A ready media item of `owner`'s, as the upload paths leave it (record only)."""
    import time

    from eckospace.media import store

    media_id = store.new_media_id()
    store.create_record(
        {
            "id": media_id,
            "owner": owner,
            "kind": kind,
            "status": store.READY,
            "media_type": "image/jpeg" if kind == "image" else "application/pdf",
            "size": 123_456,
            "display_name": "photo.jpg" if kind == "image" else "minutes.pdf",
            "object_key": store.original_key(media_id),
            "created_at": int(time.time()),
            "metadata": {"width": 4032, "height": 3024} if kind == "image" else {"pages": 3},
        }
    )
    return media_id


# ---------------------------------------------------------------------- events
def _sample_request(route: Route, token: str) -> Request:
    headers = [
        ("host", "127.0.0.1:3000"),
        ("user-agent", "eckospace-bench"),
        ("accept", "application/json"),
        ("accept-language", "fr-CA,fr;q=0.9,en;q=0.5"),
        ("x-api-key", SAMPLE_API_KEY),
        ("authorization", f"Bearer {token}"),
    ]
    return Request(
        method="GET" if route.method == "ANY" else route.method,
        path=route.path,
        raw_query=SAMPLE_QUERIES.get(route.path, ""),
        headers=headers,
        body=b"",
        source_ip="127.0.0.1",
        request_id="c0ffee00-0000-4000-8000-000000000000",
    )


def stripe_delivery(secret: str, *, event_id: str = "evt_bench_0001") -> tuple[bytes, str]:
    """A Stripe event as Stripe sends it (a top-up that succeeded) and its Stripe-Signature header."""
    import stripe

    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": f"pi_{event_id}",
                    "object": "payment_intent",
                    "amount": 1500,
                    "amount_received": 1500,
                    "currency": "eur",
                    "metadata": {"eckospace_user_id": SAMPLE_SUBJECT},
                }
            },
        },
        indent=2,
    )
    return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret)


def sample_pdf(size: int) -> bytes:
    """A valid one-page PDF padded with a comment to exactly `size` bytes."""
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    pdf = out.getvalue()
    return pdf + b"%" + b"0" * (size - len(pdf) - 2) + b"\n"


def document_upload_body(pdf: bytes) -> tuple[bytes, str]:
    """What a browser sends to the document upload: multipart/form-data with the file in `file`."""
    from urllib3.filepost import encode_multipart_formdata

    return encode_multipart_formdata({"file": ("bench.pdf", pdf, "application/pdf")})


def sample_events(
    template: Template, token: str, stripe_secret: str, ids: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """A first invocation per function (logical id -> event): the REST proxy event the local
    gateway builds for each literal API route (and each posts or chat route, against the sample
    post, conversation or listing `ids` names), and a TOKEN event for each authorizer."""
    _, api = template.api()
    known = {name: value for name, value in (ids or {}).items() if value}
    routes = [
        route
        for route in template.routes()
        if route.path in MEASURED_ROUTES
        and route.method in SAMPLE_METHODS.get(route.path, (route.method,))
        and all(name in known for name in PATH_PARAMETER.findall(route.path))
    ]
    gateway = Gateway(routes=routes, api=api, workers=None, keys=None)  # type: ignore[arg-type]
    authorizer_context = {
        "principalId": SAMPLE_SUBJECT,
        "sub": SAMPLE_SUBJECT,
        "scope": SAMPLE_SCOPE,
        "token_use": "user",
        "jti": "bench",
        "integrationLatency": 0,
    }
    events: dict[str, dict[str, Any]] = {}
    for route in routes:
        request = _sample_request(route, token)
        path_params = {name: known[name] for name in PATH_PARAMETER.findall(route.path)}
        request.path = PATH_PARAMETER.sub(lambda match: known[match[1]], route.path)
        if route.path in SAMPLE_BODIES and request.method != "GET":
            body = SAMPLE_BODIES[route.path].replace(b"%s", uuid.uuid4().hex.encode())
            request.body = body.replace(b"%p", known.get("post_id", "").encode())
            request.headers.append(("content-type", "application/json"))
        if route.path == STRIPE_WEBHOOK:  # Stripe sends a signed body, and no key or token
            body, signature = stripe_delivery(stripe_secret)
            request.body = body
            request.headers = [
                ("host", "127.0.0.1:3000"),
                ("content-type", "application/json; charset=utf-8"),
                ("stripe-signature", signature),
                ("user-agent", "Stripe/1.0"),
            ]
        if route.path == DOCUMENT_UPLOAD:
            request.body, content_type = document_upload_body(sample_pdf(1024))
            request.headers.append(("content-type", content_type))
        events[route.function] = gateway.proxy_event(
            request, route, path_params, authorizer_context, SAMPLE_API_KEY, "bench-key-id"
        )
        for authorizer in api.get("Auth", {}).get("Authorizers", {}).values():
            events.setdefault(
                authorizer["Function"],
                {
                    "type": "TOKEN",
                    "authorizationToken": f"Bearer {token}",
                    "methodArn": gateway.method_arn(route, request),
                },
            )
    return events


# ---------------------------------------------------------------------- child processes
def run_child(
    module: str, request: dict[str, Any], env: dict[str, str], *, cwd: Path | None = None, timeout: float = 240
) -> dict[str, Any]:
    """Run `python -m module RESULT_FILE` with `request` as JSON on stdin; its result is the JSON it
    writes to RESULT_FILE (stdout stays free for whatever the function logs)."""
    with tempfile.TemporaryDirectory(prefix="eckobench-child-") as tmp:
        result_file = Path(tmp) / "result.json"
        done = subprocess.run(
            [PYTHON, "-m", module, str(result_file)],
            input=json.dumps(request),
            text=True,
            env=env,
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return json.loads(result_file.read_text())


def child_main(measure: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """The child side of `run_child`."""
    result = measure(json.load(sys.stdin))
    Path(sys.argv[1]).write_text(json.dumps(result))


def load_handler() -> Callable[[dict[str, Any], Any], Any]:
    """The sandbox's handler, found as the Lambda runtime finds it (`_HANDLER`)."""
    module, _, name = os.environ["_HANDLER"].rpartition(".")
    return getattr(importlib.import_module(module), name)


def lambda_context(request_id: str = "bench") -> Any:
    from eckolocal.runtime import LambdaContext

    return LambdaContext(request_id, int(time.time() * 1000) + 600_000)


def outcome(result: Any) -> str:
    """A short word for what a handler answered: its status code, or an authorizer's Effect."""
    if isinstance(result, dict) and "statusCode" in result:
        return str(result["statusCode"])
    try:
        return str(result["policyDocument"]["Statement"][0]["Effect"])
    except (KeyError, IndexError, TypeError):
        return "unexpected"


SUCCESS = {"200", "201", "204", "Allow"}
