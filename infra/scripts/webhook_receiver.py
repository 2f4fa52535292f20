"""A local webhook receiver for trying outgoing webhooks against `make dev`:

  webhook_receiver.py --port 9000 --secret-file .eckospace/webhook-secret

Listens on 127.0.0.1, verifies each delivery with the `standardwebhooks` library (the secret is
read from the file on every request, so it can be written after the endpoint is registered), prints
what arrived, and answers 204 when the signature holds, 400 when it does not.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret-file", type=Path, required=True, help="holds the endpoint's whsec_... secret")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                secret = args.secret_file.read_text().strip()
                event = Webhook(secret).verify(body, headers)
            except (OSError, ValueError, WebhookVerificationError) as refused:
                print(f"REFUSED {headers.get('webhook-id')}: {refused}", flush=True)
                self.send_response(400)
                self.end_headers()
                return
            print(
                f"verified {event['type']} {event['id']} (delivery {headers['webhook-id']}, "
                f"{len(headers['webhook-signature'].split())} signature(s)): {json.dumps(event['data'])}",
                flush=True,
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    print(f"listening on http://127.0.0.1:{args.port}/hooks", flush=True)
    HTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
