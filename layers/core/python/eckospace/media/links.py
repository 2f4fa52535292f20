"""Where a reader fetches media: public images from the CDN, everything else from short-lived
presigned URLs that end with their `expires_at` (a shared link dies with it).

Links are computed, never stored, from a media record or an attachment summary (`id`, `kind`,
`media_type`, `display_name`): object keys follow from the id (`eckospace.media.store`). Signing
is local (no backend call), so a page of posts costs no extra reads for its attachments.
"""

from __future__ import annotations

from typing import Any

from eckospace.media import settings, store
from eckospace.media.publication import public_key


def cdn_url(key: str) -> str:
    domain = settings.CDN_DOMAIN()
    # CloudFront serves HTTPS; the local stack's CDN is plain HTTP on loopback.
    scheme = "http" if domain.startswith(("127.0.0.1:", "localhost:")) else "https"
    return f"{scheme}://{domain}/{key}"


def links(media: dict[str, Any], *, public: bool) -> dict[str, Any]:
    """`download` and one link per smaller copy of an image (`thumbnail`, `preview`): CDN URLs that
    do not expire when `public` (the media is a public image), else presigned URLs valid for
    `store.DOWNLOAD_URL_SECONDS`."""
    media_id, variants = media["id"], media.get("variants", [])
    if public and media["kind"] == "image":
        found = {"download": {"url": cdn_url(public_key(media_id, "original")), "expires_at": None}}
        for variant in variants:
            found[variant] = {"url": cdn_url(public_key(media_id, f"{variant}.jpg")), "expires_at": None}
        return found
    found = {"download": store.download_url(media, key=store.original_key(media_id))}
    for variant in variants:
        as_jpeg = {"display_name": f"{variant}.jpg", "media_type": "image/jpeg"}
        found[variant] = store.download_url(as_jpeg, key=store.variant_key(media_id, variant))
    return found
