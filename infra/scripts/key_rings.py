"""The secret key rings: `key_rings.py rotate cursor-keys --env prod` starts signing with a fresh
secret; the one active until now keeps verifying what it signed, and older ones are dropped.
`key_rings.py show realtime-app-secrets --env prod` prints the key ids (never the secrets). Works
on the running local stack by default, and on a deployed environment with AWS credentials.

- `cursor-keys` sign listing cursors. Rotate no more often than a cursor lives (24 hours), so no
  cursor still in use loses its key.
- `realtime-app-secrets` sign channel authorizations and the events API's requests. Connected
  clients are unaffected; rotate again only once every server that publishes has the new secret
  (the previous one is dropped then)."""

from __future__ import annotations

import argparse
import json

from _backend import use_local_stack_if_running

RINGS = {
    "cursor-keys": "eckospace.cursors:CursorKeys",
    "realtime-app-secrets": "eckospace.realtime.signatures:AppSecrets",
}


def secret_id(ring: str, env: str) -> str:
    return f"eckospace/{env}/{ring}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["rotate", "show"])
    parser.add_argument("ring", choices=sorted(RINGS))
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    use_local_stack_if_running()

    import importlib

    from eckospace import aws

    module, _, name = RINGS[args.ring].partition(":")
    ring_type = getattr(importlib.import_module(module), name)
    secretsmanager = aws.client("secretsmanager")
    secret = secret_id(args.ring, args.env)
    ring = ring_type.from_document(secretsmanager.get_secret_value(SecretId=secret)["SecretString"])
    if args.action == "rotate":
        ring = ring.rotated()
        secretsmanager.put_secret_value(SecretId=secret, SecretString=json.dumps(ring.document()))
    print(f"{args.ring}: active {ring.active} (verifying: {', '.join(sorted(ring.keys))})")


if __name__ == "__main__":
    main()
