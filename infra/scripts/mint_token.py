"""Mint an access token for development: `mint_token.py --scopes "translations:read" [--subject me]`.

Signs with the active key of the environment's signing-keys secret (the local stack's, when it is
running and no other AWS endpoint or profile is set)."""

from __future__ import annotations

import argparse

from _backend import secret_id, use_local_stack_if_running


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scopes", default="", help="space-separated scopes")
    parser.add_argument("--subject", default="dev-user")
    parser.add_argument("--env", default="dev")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    parser.add_argument("--issuer", default="https://api.eckospace.local")
    parser.add_argument("--audience", default="eckospace-api")
    args = parser.parse_args()
    use_local_stack_if_running()

    from eckospace.identity.keystore import load_keyring
    from eckospace.identity.scopes import unknown_scopes
    from eckospace.identity.tokens import mint_access_token

    scopes = args.scopes.split()
    if unknown := unknown_scopes(scopes):
        raise SystemExit(f"unknown scopes: {' '.join(unknown)}")
    ring = load_keyring(secret_id(args.env))
    if ring is None:
        raise SystemExit(f"no signing keys in {secret_id(args.env)}: start `make dev` or run keys.py init")
    print(
        mint_access_token(
            ring.active,
            subject=args.subject,
            scopes=scopes,
            issuer=args.issuer,
            audience=args.audience,
            token_use="user",
            ttl_seconds=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
