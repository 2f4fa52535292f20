"""Signing keys of an environment: `keys.py init --env dev` once after the first deploy,
`keys.py rotate --env prod` to start signing with a new key (older keys keep verifying)."""

from __future__ import annotations

import argparse

from _backend import jwks_parameter, secret_id, use_local_stack_if_running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["init", "rotate"])
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    use_local_stack_if_running()

    from eckospace.identity.keys import KeyRing, generate_signing_key
    from eckospace.identity.keystore import load_keyring, save_keyring

    ring = load_keyring(secret_id(args.env))
    if args.action == "init":
        if ring is not None:
            raise SystemExit(f"{secret_id(args.env)} already holds a key ring; use rotate")
        ring = KeyRing.new()
    else:
        if ring is None:
            raise SystemExit(f"{secret_id(args.env)} holds no key ring yet; use init")
        key = generate_signing_key()
        ring = KeyRing(active_kid=key.kid, keys=(*ring.keys, key))
    save_keyring(ring, secret_id=secret_id(args.env), jwks_parameter=jwks_parameter(args.env))
    print(f"active signing key: {ring.active_kid} ({len(ring.keys)} key(s) published)")


if __name__ == "__main__":
    main()
