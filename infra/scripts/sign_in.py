"""Signs a person in to the running local stack through the whole browser flow, against the local
OpenID Connect provider that `make dev` runs in Google's place, and prints the session it ends with:

    .venv/bin/python infra/scripts/sign_in.py ada        # or grace: the provider's demo accounts

It plays the browser and the web front end's server, step by step:
1. GET /social-login/redirect/google: the API sets its `__Host-` sign-in cookie and sends the
   browser to the provider;
2. the person signs in there (by account name, on the provider's page);
3. the provider sends the browser back to GET /social-login/callback/google, which carries the
   cookie and answers with a redirect to the front end's page (SignInCompleteUrl) and a one-time code;
4. the front end's server exchanges the code, with the cookie's value as `binding`, at
   POST /api/auth/session, for an access token and a refresh token.
"""

from __future__ import annotations

import argparse
import json
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import _backend  # noqa: F401  (the core library and eckolocal on the path)
import requests

from eckolocal.oidc import ProviderBrowser

CREDENTIALS = Path(__file__).resolve().parents[2] / ".eckospace" / "dev-credentials.json"
SIGN_IN_COOKIE = "__Host-eckospace-sign-in"
TIMEOUT = 30


def sign_in(credentials: dict, account: str) -> dict:
    api, sign_in_details = credentials["api_url"], credentials["sign_in"]
    started = requests.get(sign_in_details["url"], allow_redirects=False, timeout=TIMEOUT)
    if started.status_code != 302:
        raise SystemExit(f"the sign-in did not start: {started.status_code} {started.text}")
    cookie = SimpleCookie(started.headers["Set-Cookie"])[SIGN_IN_COOKIE].value
    back_to_api = ProviderBrowser(sign_in_details["provider"]).complete_login(started.headers["Location"], account)
    # The local stack speaks plain http, where a client keeps a Secure cookie but never sends it:
    # present it as a browser on https would.
    finished = requests.get(
        back_to_api, headers={"Cookie": f"{SIGN_IN_COOKIE}={cookie}"}, allow_redirects=False, timeout=TIMEOUT
    )
    if finished.status_code != 302:
        raise SystemExit(f"the callback refused the sign-in: {finished.status_code} {finished.text}")
    code = parse_qs(urlsplit(finished.headers["Location"]).query)["code"][0]
    session = requests.post(
        f"{api}/api/auth/session",
        json={"code": code, "binding": cookie},
        timeout=TIMEOUT,
        headers={"x-api-key": credentials["api_key"]},
    )
    if session.status_code != 200:
        raise SystemExit(f"the code exchange was refused: {session.status_code} {session.text}")
    return session.json()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "account", help="a demo account of the local provider (see sign_in.accounts in the credentials file)"
    )
    parser.add_argument("--credentials", type=Path, default=CREDENTIALS)
    args = parser.parse_args()
    credentials = json.loads(args.credentials.read_text())
    if "sign_in" not in credentials:
        raise SystemExit("this local stack runs no sign-in provider (is Node.js installed?)")
    json.dump(sign_in(credentials, args.account), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
