"""The throughput peer: `chalice local` serving GET /api/translations/app with a static catalogue.

The body has the shape and size of ours for `?locale=fr` (the same seed catalogue, rendered once at
import), with a strong ETag and a 304 for a matching If-None-Match. No authorizer, API key or
throttle: the peer is the cheapest equivalent route a local Python framework server gives.
"""

import hashlib
import json
from pathlib import Path

from chalice import Chalice, Response

SEED = Path(__file__).resolve().parents[3] / "infra" / "seed" / "translations" / "fr.json"

app = Chalice(app_name="chalice-translations")

_catalogue = json.loads(SEED.read_text())
_messages = json.dumps(_catalogue["messages"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
BODY = json.dumps(
    {
        "locale": "fr",
        "requested_locale": "fr",
        "direction": _catalogue["direction"],
        "version": hashlib.sha256(_messages.encode()).hexdigest()[:16],
        "messages": json.loads(_messages),
    },
    ensure_ascii=False,
    separators=(",", ":"),
)
HEADERS = {
    "ETag": '"' + hashlib.sha256(BODY.encode()).hexdigest()[:32] + '"',
    "Content-Language": "fr",
    "Cache-Control": "private, max-age=300, stale-while-revalidate=60",
    "Vary": "Accept-Language",
}


@app.route("/api/translations/app", methods=["GET"])
def get_app_translations():
    if (app.current_request.headers.get("if-none-match") or "") == HEADERS["ETag"]:
        return Response(body="", status_code=304, headers=HEADERS)
    return Response(body=BODY, status_code=200, headers={**HEADERS, "Content-Type": "application/json; charset=utf-8"})
