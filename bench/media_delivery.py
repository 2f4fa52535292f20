"""Media delivery: what a thumbnail in a feed costs its reader, through the local stack's CDN.

A phone-sized photo (4032 x 3024 JPEG) goes through the media worker's own steps: its metadata
stripped, its 320 px thumbnail made. Both are stored in the emulator's bucket, then the thumbnail is
fetched over loopback HTTP, with keep-alive, from the local CDN (`eckolocal.cdn`, serving the
public copy) and, side by side, from a presigned S3 URL on the emulator (the path private media
take). Reported: the thumbnail's bytes against the photo's, and the time to first byte (request
sent to status line and headers read), median and p95, local CDN against presigned.
"""

from __future__ import annotations

import http.client
import io
import threading
import time
import urllib.parse
from typing import Any

from bench.common import Backend, median, patched_environ, percentile, row
from eckolocal.stack import free_port

PHOTO_SIZE = (4032, 3024)
REQUESTS = 300


def _photo() -> bytes:
    from PIL import Image

    image = Image.effect_mandelbrot(PHOTO_SIZE, (-2.0, -1.5, 1.0, 1.5), 64).convert("RGB")  # detail JPEG can't flatten
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _first_byte_ms(url: str, count: int) -> list[float]:
    """Times to first byte of `count` GETs of `url` on one kept-alive connection (each body read whole)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", target)
            response = connection.getresponse()
            times.append((time.perf_counter() - started) * 1000)
            body = response.read()
            if response.status != 200 or not body:
                raise RuntimeError(f"{url} answered {response.status}")
    finally:
        connection.close()
    return times


def run(backend: Backend, *, requests: int = REQUESTS) -> dict[str, Any]:
    import uvicorn

    from eckolocal.cdn import LocalCdn, distributions
    from eckospace import aws
    from eckospace.config import forget_settings
    from eckospace.media import store
    from eckospace.media.inspection import make_thumbnail
    from eckospace.media.links import cdn_url
    from eckospace.media.metadata import strip_metadata
    from eckospace.media.publication import PUBLIC_CACHE_CONTROL, public_key

    port = free_port()
    backend.template.set_att("MediaCdn", "DomainName", f"127.0.0.1:{port}")
    environment = backend.functions()["MediaPublicationFunction"].environment
    photo = strip_metadata(_photo(), "image/jpeg")
    thumbnail = make_thumbnail(photo, max_side=store.IMAGE_VARIANTS["thumbnail"])
    with patched_environ({**backend.aws_env, **environment}):
        aws.reset_clients()
        forget_settings()
        try:
            media_id = store.new_media_id()
            s3 = aws.client("s3")
            s3.put_object(Bucket=store.bucket(), Key=store.variant_key(media_id, "thumbnail"), Body=thumbnail)
            s3.put_object(
                Bucket=store.bucket(),
                Key=public_key(media_id, "thumbnail.jpg"),
                Body=thumbnail,
                ContentType="image/jpeg",
                CacheControl=PUBLIC_CACHE_CONTROL,
            )
            cdn = cdn_url(public_key(media_id, "thumbnail.jpg"))
            presigned = store.download_url(
                {"display_name": "thumbnail.jpg", "media_type": "image/jpeg"},
                key=store.variant_key(media_id, "thumbnail"),
            )["url"]
            (distribution,) = distributions(backend.template)
            server = uvicorn.Server(
                uvicorn.Config(
                    LocalCdn(distribution, aws.client("s3")),
                    host="127.0.0.1",
                    port=port,
                    log_level="warning",
                    lifespan="off",
                )
            )
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.01)
            try:
                _first_byte_ms(cdn, 20), _first_byte_ms(presigned, 20)  # warm both paths
                through_cdn, through_s3 = _first_byte_ms(cdn, requests), _first_byte_ms(presigned, requests)
            finally:
                server.should_exit = True
                thread.join(5)
        finally:
            aws.reset_clients()
            forget_settings()
    found = {
        "photo_bytes": len(photo),
        "thumbnail_bytes": len(thumbnail),
        "first_byte_ms": {
            "local_cdn": {"median": median(through_cdn), "p95": percentile(through_cdn, 95)},
            "presigned_s3": {"median": median(through_s3), "p95": percentile(through_s3, 95)},
        },
    }
    found["rows"] = [
        row(
            "thumbnail bytes",
            "320 px JPEG of a 4032x3024 photo",
            len(thumbnail),
            "bytes",
            peer="the photo, stored",
            peer_value=len(photo),
            budget="info",
        ),
        *(
            row(
                f"thumbnail time to first byte, {stat}",
                "local CDN (eckolocal.cdn)",
                found["first_byte_ms"]["local_cdn"][stat],
                "ms",
                peer="presigned URL on the emulator",
                peer_value=found["first_byte_ms"]["presigned_s3"][stat],
                budget="info",
            )
            for stat in ("median", "p95")
        ),
    ]
    return found
