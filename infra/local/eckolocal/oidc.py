"""A real OpenID Connect provider on loopback (node `oidc-provider`, infra/local/oidc) standing in
for Google: the local stack runs one so sign-in works offline, and the tests run their own. Also a
browser's part of its sign-in over plain HTTP.

    with start_oidc_provider(tmp_path, client_id="web", client_secret="s3cret",
                             redirect_uris=["http://127.0.0.1:3000/api/auth/callback"],
                             accounts=[OidcAccount("u1", "ada@example.com", True, "Ada")]) as idp:
        redirect = idp.complete_login(authorization_url, login="u1")   # .../callback?code=...&state=...
"""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import requests

from eckolocal.npm import NpmError, ensure_installed

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
HTTP_TIMEOUT = 10.0
MAX_REDIRECTS = 10

ClientAuth = Literal["client_secret_post", "client_secret_basic"]


class OidcProviderError(RuntimeError):
    """The provider could not be installed, started or stopped."""


class OidcLoginError(RuntimeError):
    """Sign-in did not end in a successful redirect to the client.

    `redirect_url` is the provider's redirect to the client when it answered with an error redirect
    (its query holds `error=...`), else None (an error page, an unknown account, ...); `error` is
    the OAuth error code when the provider gave one.
    """

    def __init__(self, message: str, *, redirect_url: str | None = None, error: str | None = None) -> None:
        super().__init__(f"{message}: {redirect_url}" if redirect_url else message)
        self.redirect_url = redirect_url
        self.error = error


@dataclass(frozen=True)
class OidcAccount:
    sub: str
    email: str
    email_verified: bool
    name: str


@dataclass
class ProviderBrowser:
    """What a browser does at the provider: sign in (or cancel) on its page, and follow its
    redirects until they leave it for the client."""

    issuer: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @cached_property
    def discovery(self) -> dict[str, Any]:
        response = requests.get(self.discovery_url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()

    def complete_login(self, authorization_url: str, login: str) -> str:
        """Sign in as account `login` in a fresh browser session (consent is automatic) and return the
        provider's redirect to the client's redirect_uri, with `code` and `state`, without requesting it.
        Raises OidcLoginError on an error redirect or an error page."""
        redirect_url = self._submit_interaction(authorization_url, "login", {"login": login})
        error = _query_value(redirect_url, "error")
        if error or not _query_value(redirect_url, "code"):
            raise OidcLoginError("the provider answered with an error redirect", redirect_url=redirect_url, error=error)
        return redirect_url

    def cancel_login(self, authorization_url: str) -> str:
        """Press Cancel on the sign-in page; return the provider's error redirect to the client
        (`error=access_denied`), without requesting it."""
        return self._submit_interaction(authorization_url, "abort", {})

    def _submit_interaction(self, authorization_url: str, action: str, form: dict[str, str]) -> str:
        with requests.Session() as session:  # a fresh browser: no provider session, so sign-in is always asked
            page = self._browse(session, "GET", authorization_url)
            if isinstance(page, str):  # sent back to the client before any sign-in page: an error redirect
                raise OidcLoginError(
                    "the provider redirected before sign-in", redirect_url=page, error=_query_value(page, "error")
                )
            answer = self._browse(session, "POST", urljoin(page.url, _form_action(page, action)), form)
        if isinstance(answer, requests.Response):
            raise OidcLoginError(
                f"the provider answered {answer.status_code} to the {action} form: {answer.text[:500]}"
            )
        return answer

    def _browse(
        self, session: requests.Session, method: str, url: str, form: dict[str, str] | None = None
    ) -> requests.Response | str:
        """Request `url` and follow the provider's redirects; return the first URL outside the provider
        (not requested), or the first page that is not a redirect."""
        response = session.request(method, url, data=form, allow_redirects=False, timeout=HTTP_TIMEOUT)
        for _ in range(MAX_REDIRECTS):
            if not response.is_redirect:
                return response
            location = urljoin(response.url, response.headers["Location"])
            if not location.startswith(f"{self.issuer}/"):
                return location
            response = session.get(location, allow_redirects=False, timeout=HTTP_TIMEOUT)
        raise OidcLoginError(f"more than {MAX_REDIRECTS} redirects within the provider")


@dataclass
class RunningProvider(ProviderBrowser):
    process: subprocess.Popen[bytes]
    client_id: str
    client_secret: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def exchange_code(
        self, code: str, redirect_uri: str, code_verifier: str, *, client_auth: ClientAuth = "client_secret_post"
    ) -> requests.Response:
        """A direct token request; the response is returned as is, errors included."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        headers: dict[str, str] = {}
        if client_auth == "client_secret_basic":
            # RFC 6749 2.3.1: both parts are form-encoded before the Basic encoding.
            credentials = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = f"Basic {base64.b64encode(credentials.encode()).decode()}"
        else:
            form |= {"client_id": self.client_id, "client_secret": self.client_secret}
        return requests.post(self.discovery["token_endpoint"], data=form, headers=headers, timeout=HTTP_TIMEOUT)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> RunningProvider:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def start_oidc_provider(
    tmp_dir: Path,
    *,
    client_id: str,
    client_secret: str,
    redirect_uris: Sequence[str],
    accounts: Sequence[OidcAccount],
    timeout: float = 30.0,
) -> RunningProvider:
    """Install the fixture's node dependencies if needed and start the provider on a free loopback port
    (the server binds port 0 and reports its issuer, so there is no port race)."""
    try:
        ensure_installed(PROVIDER_DIR, "the OpenID Connect provider")
    except NpmError as error:
        raise OidcProviderError(str(error)) from error
    tmp_dir.mkdir(parents=True, exist_ok=True)
    config_path = tmp_dir / "oidc-config.json"
    config = {
        "client": {"client_id": client_id, "client_secret": client_secret, "redirect_uris": list(redirect_uris)},
        "accounts": [asdict(account) for account in accounts],
    }
    config_path.write_text(json.dumps(config, indent=2))
    log_path = tmp_dir / "oidc-provider.log"
    with open(log_path, "wb") as sink:
        process = subprocess.Popen(
            ["node", "server.mjs", "--port", "0", "--config", str(config_path)],
            cwd=PROVIDER_DIR,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    issuer = _wait_for_issuer(process, log_path, timeout)
    return RunningProvider(issuer, process, client_id, client_secret, log_path)


def _wait_for_issuer(process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = re.search(r"^READY (\S+)$", log_path.read_text(errors="replace"), re.MULTILINE)
        if ready:
            return ready.group(1)
        if process.poll() is not None:
            raise OidcProviderError(f"the OIDC provider exited with {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise OidcProviderError(f"the OIDC provider was not ready within {timeout}s:\n{log_path.read_text()}")


def _form_action(page: requests.Response, action: str) -> str:
    actions = re.findall(r'<form[^>]*\baction="([^"]+)"', page.text)
    wanted = [url for url in actions if url.endswith(f"/{action}")]
    if page.status_code != 200 or not wanted:
        raise OidcLoginError(f"expected the sign-in page, got {page.status_code} from {page.url}: {page.text[:500]}")
    return wanted[0]


def _query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None
