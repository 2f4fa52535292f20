"""Warm per-token CPU of the authorizer: verifying a bearer token with the signing keys already
cached in the sandbox, beside the floor of that job, PyJWT's own ES256 decode with the key in hand.
The whole handler (verification plus its one revocation read from DynamoDB) is reported too.

Runs in a child process with the authorizer's sandbox environment; blocks interleaved in rounds.
"""

from __future__ import annotations

import time
from typing import Any

from bench.common import Backend, child_main, lambda_context, load_handler, median, row, run_child, with_bench_on_path

FUNCTION = "AuthAuthorizerFunction"
ROUNDS = 8
PER_ROUND = 300


def run(backend: Backend, *, rounds: int = ROUNDS, per_round: int = PER_ROUND) -> dict[str, Any]:
    spec = backend.functions()[FUNCTION]
    request = {"event": backend.sample_events()[FUNCTION], "rounds": rounds, "per_round": per_round}
    result = run_child(
        "bench.authorizer_cpu", request, with_bench_on_path(backend.sandbox_env(spec)), cwd=spec.code_dir
    )
    us = result["median_us"]
    result["rows"] = [
        row(
            "warm CPU per token (cached keys)",
            FUNCTION,
            us["verify"],
            "us",
            peer="PyJWT decode, key in hand",
            peer_value=us["pyjwt"],
            budget="info",
        ),
        row(
            "warm CPU per token, whole handler",
            FUNCTION,
            us["handler"],
            "us",
            peer="PyJWT decode, key in hand",
            peer_value=us["pyjwt"],
            budget="info",
        ),
    ]
    return result


def _measure(request: dict[str, Any]) -> dict[str, Any]:
    import jwt

    from eckospace.identity import settings
    from eckospace.identity.jwks import published_jwks, verifier

    handler = load_handler()
    event = request["event"]
    token = event["authorizationToken"].split(" ", 1)[1]
    handler(event, lambda_context())  # cold work done: keys fetched and cached
    cached_verifier = verifier()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in published_jwks()["keys"] if k["kid"] == kid), algorithm="ES256")
    variants = {
        "verify": lambda: cached_verifier.verify(token),
        "handler": lambda: handler(event, lambda_context()),
        "pyjwt": lambda: jwt.decode(
            token, key=key, algorithms=["ES256"], audience=settings.TOKEN_AUDIENCE(), issuer=settings.TOKEN_ISSUER()
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(request["rounds"]):
        for name, call in variants.items():
            started = time.process_time()
            for _ in range(request["per_round"]):
                call()
            samples[name].append((time.process_time() - started) / request["per_round"] * 1e6)
    return {"median_us": {name: round(median(values), 1) for name, values in samples.items()}}


if __name__ == "__main__":
    child_main(_measure)
