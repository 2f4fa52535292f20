"""The keys that sign listing cursors: `cursor_keys.py rotate --env prod` starts signing with a fresh
key; the one active until now keeps verifying the cursors it signed, and older keys are dropped.
Rotate no more often than a cursor lives (24 hours), so no cursor still in use loses its key.
`cursor_keys.py show --env prod` prints the key ids (never the keys). Works on the running local
stack by default, and on a deployed environment with AWS credentials."""

from __future__ import annotations

import argparse
import json

from _backend import use_local_stack_if_running


def secret_id(env: str) -> str:
    return f"eckospace/{env}/cursor-keys"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["rotate", "show"])
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    use_local_stack_if_running()

    from eckospace import aws
    from eckospace.cursors import CursorKeys

    secretsmanager = aws.client("secretsmanager")
    keys = CursorKeys.from_document(secretsmanager.get_secret_value(SecretId=secret_id(args.env))["SecretString"])
    if args.action == "rotate":
        keys = keys.rotated()
        secretsmanager.put_secret_value(SecretId=secret_id(args.env), SecretString=json.dumps(keys.document()))
    print(f"active cursor key: {keys.active} (verifying: {', '.join(sorted(keys.keys))})")


if __name__ == "__main__":
    main()
