"""Signing keys of an environment: `keys.py init --env dev` once after the first deploy,
`keys.py rotate --env prod` to start signing with the key published at the last rotation (the
previous one keeps verifying its tokens, and a fresh next key is published). Rotate no more often
than the verifiers' key cache time (five minutes), so the next key is everywhere before it signs."""

from __future__ import annotations

import argparse

from _backend import jwks_parameter, secret_id, use_local_stack_if_running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["init", "rotate"])
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    use_local_stack_if_running()

    from eckospace.identity.keys import KeyRing
    from eckospace.identity.keystore import load_keyring, save_keyring

    ring = load_keyring(secret_id(args.env))
    if args.action == "init":
        if ring is not None:
            raise SystemExit(f"{secret_id(args.env)} already holds a key ring; use rotate")
        ring = KeyRing.new()
    else:
        if ring is None:
            raise SystemExit(f"{secret_id(args.env)} holds no key ring yet; use init")
        ring = ring.rotated()
    save_keyring(ring, secret_id=secret_id(args.env), jwks_parameter=jwks_parameter(args.env))
    print(f"active signing key: {ring.active_kid} ({len(ring.keys)} keys published)")


if __name__ == "__main__":
    main()
