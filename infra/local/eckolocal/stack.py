"""`make dev`: the whole API on this machine, from template.yaml, with no Docker.

Starts the embedded AWS emulator (moto server, its own process, on loopback) unless
AWS_ENDPOINT_URL or an AWS profile points elsewhere; creates the template's resources; seeds
signing keys, cursor keys, the demo API key and the translation catalogues; then serves the API on
127.0.0.1:ECKO_PORT with the local gateway, SQS and DynamoDB stream pollers and per-function workers,
and on the same port the WebSocket API (with its @connections API) and the Lambda Invoke API.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from eckolocal.cdn import Distribution, LocalCdn, distributions
from eckolocal.gateway import Gateway, HttpAnswer, Request
from eckolocal.lambda_api import LambdaApi
from eckolocal.oidc import OidcAccount, OidcProviderError, start_oidc_provider
from eckolocal.openapi import merged_document, render
from eckolocal.pollers import DynamoDbStreamPoller, Poller, SqsPoller, sqs_sources, stream_sources
from eckolocal.provision import enable_streams, provision
from eckolocal.realtime_page import PAGE_PATH, RealtimePage
from eckolocal.schedules import Scheduler
from eckolocal.state import StateDir
from eckolocal.template import REGION, Template, load_yaml
from eckolocal.usage import KeyDirectory, RateLimiter, ensure_api_key, ensure_usage_plans
from eckolocal.websocket_api import SERVER_OPTIONS, WebSocketApi, WebSocketGateway, websocket_api
from eckolocal.workers import Workers

log = logging.getLogger("eckolocal")

DEMO_KEY_NAME = "eckospace-local-demo"
DEMO_PLAN = "StandardUsagePlan"
DEV_TOKEN_TTL_SECONDS = 12 * 3600
LOCAL_GOOGLE_CLIENT_ID = "eckospace-local.apps.example"
# Who may sign in at the local provider (by name, on its page), as verified Google accounts.
DEMO_ACCOUNTS = (
    OidcAccount("ada", "ada@example.com", True, "Ada Lovelace"),
    OidcAccount("grace", "grace@example.com", True, "Grace Hopper"),
)
REFUSED_PORTS_PARAMETER = "WebhooksRefusedLoopbackPorts"
_EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _ports(text: str) -> set[int]:
    return {int(p) for p in text.replace(",", " ").split() if p.isdigit()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ChildService:
    """A peer the stack runs in a child process on loopback, ready once `ready_path` answers."""

    name = "service"
    ready_path = "/"

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, log_file: Path) -> None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "ab") as sink:
            self.process = subprocess.Popen(
                self.command(), stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, **_EMULATOR_CREDENTIALS}
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.name} exited; see {log_file}")
            try:
                urllib.request.urlopen(f"{self.url}{self.ready_path}", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return  # it answered (if only to say no): it is up
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the {self.name} did not start within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)


class Emulator(ChildService):
    """moto server (with S3's presigned POST policy checks, see `eckolocal.emulator`): the default AWS backend."""

    name, ready_path = "AWS emulator", "/moto-api/"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "eckolocal.emulator", "127.0.0.1", str(self.port)]


class LocalStripe(ChildService):
    """localstripe: a stateful Stripe API emulator that also sends signed webhooks."""

    name, ready_path = "Stripe emulator", "/v1/balance"

    def command(self) -> list[str]:
        return [str(Path(sys.executable).with_name("localstripe")), "--port", str(self.port), "--from-scratch"]

    def send_webhooks_to(self, url: str, secret: str) -> None:
        form = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
        request = urllib.request.Request(f"{self.url}/_config/webhooks/eckospace", data=form, method="POST")
        urllib.request.urlopen(request, timeout=5).close()


@dataclass
class StackConfig:
    root: Path
    template_path: Path
    port: int = 3000
    fresh: bool = False
    overrides: dict[str, str] = field(default_factory=dict)
    state_root: Path | None = None
    seed_dir: Path | None = None

    @property
    def state(self) -> StateDir:
        return StateDir(self.state_root or self.root / ".eckospace")


def _aws_environment(endpoint: str | None) -> dict[str, str]:
    """What boto3 in the stack and in every worker needs to reach the backend."""
    env = {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
        env.update(_EMULATOR_CREDENTIALS if "AWS_ACCESS_KEY_ID" not in os.environ else {})
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def seed_translations(template: Template, session: Any, seed_dir: Path) -> int:
    from eckospace import aws
    from eckospace.translations import settings
    from eckospace.translations.store import put_catalogue

    if "TranslationsTable" not in template.resources:
        return 0
    aws.use_client("dynamodb", session.client("dynamodb"))
    settings.TABLE.provide(template.physical_name("TranslationsTable"))
    count = 0
    for path in sorted((seed_dir / "translations").glob("*.json")):
        catalogue = json.loads(path.read_text())
        put_catalogue(path.stem, catalogue["direction"], catalogue["messages"])
        count += 1
    return count


def seed_keys(template: Template, session: Any, stored: dict[str, Any]) -> Any:
    """Publish the stored signing key ring (or a new one); None when the template has no keys."""
    from eckospace.identity.keys import KeyRing
    from eckospace.identity.keystore import save_keyring

    if not {"SigningKeysSecret", "JwksParameter"} <= template.resources.keys():
        return None
    ring = KeyRing.from_json(stored["signing_keys"]) if "signing_keys" in stored else KeyRing.new()
    stored["signing_keys"] = ring.to_json()
    save_keyring(
        ring,
        secret_id=template.physical_name("SigningKeysSecret"),
        jwks_parameter=template.physical_name("JwksParameter"),
        secretsmanager=session.client("secretsmanager"),
        ssm=session.client("ssm"),
    )
    return ring


def seed_demo_integration(
    template: Template, session: Any, stored: dict[str, Any], api_key_id: str | None
) -> dict[str, str] | None:
    """The demo integration (OAuth client) on the demo API key, kept across restarts. It stands
    for the platform's own back end, so it is first-party."""
    from eckospace import aws
    from eckospace.identity import integrations, settings
    from eckospace.identity.scopes import SCOPES

    if "IntegrationsTable" not in template.resources:
        return None
    aws.use_client("dynamodb", session.client("dynamodb"))
    settings.INTEGRATIONS_TABLE.provide(template.physical_name("IntegrationsTable"))
    client_id = stored.setdefault("demo_client_id", integrations.new_client_id())
    secret = stored.setdefault("demo_client_secret", integrations.new_secret())
    existing = integrations.get(client_id)
    if existing is None:
        integrations.register(
            name="Local demo integration",
            allowed_scopes=set(SCOPES),
            default_scopes={"translations:read"},
            tier="standard",
            api_key_id=api_key_id,
            client_id=client_id,
            secret=secret,
            first_party=True,
        )
    elif not existing.first_party or existing.allowed_scopes != set(SCOPES):  # kept from an older version
        integrations.save(dataclasses.replace(existing, first_party=True, allowed_scopes=frozenset(SCOPES)))
    return {"client_id": client_id, "client_secret": secret}


def seed_stripe_webhook_secret(template: Template, session: Any, stored: dict[str, Any]) -> str | None:
    """A Stripe webhook signing secret for local deliveries, kept across restarts."""
    if "StripeWebhookSecrets" not in template.resources:
        return None
    secret = stored.setdefault("stripe_webhook_secret", "whsec_" + secrets.token_urlsafe(24))
    session.client("secretsmanager").put_secret_value(
        SecretId=template.physical_name("StripeWebhookSecrets"), SecretString=json.dumps({"current": secret})
    )
    return secret


def seed_realtime_secret(template: Template, session: Any, stored: dict[str, Any]) -> str | None:
    """The realtime app's secrets (`{"active": id, id: secret}`), kept across restarts so what was
    configured with the secret goes on signing; returns the active one, None without the module."""
    if "RealtimeAppSecrets" not in template.resources:
        return None
    secretsmanager = session.client("secretsmanager")
    secret_id = template.physical_name("RealtimeAppSecrets")
    if "realtime_app_secrets" in stored:
        secretsmanager.put_secret_value(SecretId=secret_id, SecretString=stored["realtime_app_secrets"])
    else:
        stored["realtime_app_secrets"] = secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"]
    ring = json.loads(stored["realtime_app_secrets"])
    return ring[ring["active"]]


def realtime_credentials(template: Template, secret: str | None, port: int, stage: str | None) -> dict[str, Any] | None:
    """What a Pusher client and server library need to reach the local realtime module; None when
    it is off. The app id and key are the ones its functions are configured with."""
    configured = (spec.environment for spec in template.functions().values())
    settings = next((env for env in configured if "ECKO_REALTIME_APP_KEY" in env), None)
    if secret is None or settings is None or stage is None:
        return None
    app_id, key, base = settings["ECKO_REALTIME_APP_ID"], settings["ECKO_REALTIME_APP_KEY"], f"127.0.0.1:{port}"
    return {
        "app_id": app_id,
        "key": key,
        "secret": secret,
        "ws_host": "127.0.0.1",
        "ws_port": port,
        "ws_url": f"ws://{base}/app/{key}",
        "auth_endpoint": f"http://{base}/broadcasting/auth",
        "events_url": f"http://{base}/apps/{app_id}/events",
        "connections_url": f"http://{base}/{stage}",  # the @connections API (apigatewaymanagementapi)
    }


def seed_cursor_keys(template: Template, session: Any, stored: dict[str, Any]) -> None:
    """The keys that sign listing cursors, kept across restarts so cursors handed out stay valid."""
    from eckospace.cursors import CursorKeys

    if "CursorKeysSecret" not in template.resources:
        return
    keys = CursorKeys.from_document(stored["cursor_keys"]) if "cursor_keys" in stored else CursorKeys.new()
    stored["cursor_keys"] = keys.document()
    session.client("secretsmanager").put_secret_value(
        SecretId=template.physical_name("CursorKeysSecret"), SecretString=json.dumps(keys.document())
    )


def mint_dev_token(template: Template, ring: Any) -> tuple[str, int]:
    from eckospace.identity.scopes import SCOPES
    from eckospace.identity.tokens import mint_access_token

    now = int(time.time())
    token = mint_access_token(
        ring.active,
        subject="dev-user",
        scopes=sorted(SCOPES),
        issuer=template.parameters["TokenIssuer"],
        audience=template.parameters["TokenAudience"],
        token_use="user",
        ttl_seconds=DEV_TOKEN_TTL_SECONDS,
        now=now,
    )
    return token, now + DEV_TOKEN_TTL_SECONDS


class LocalStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.state = config.state
        self.emulator: Emulator | None = None
        self.stripe: LocalStripe | None = None
        self.sign_in_provider: Any = None  # eckolocal.oidc.RunningProvider, in Google's place
        self._google_client_secret = ""
        self.session: Any = None
        self.template: Template | None = None
        self.gateway: Gateway | None = None
        self.workers: Workers | None = None
        self.pollers: list[Poller] = []
        self.credentials: dict[str, Any] = {}
        self._endpoint: str | None = None
        self._openapi: bytes | None = None
        # one build of it at a time: building imports every function's code, which two threads must not race
        self._openapi_built = asyncio.Lock()
        self.cdn_port = int(os.environ.get("ECKO_CDN_PORT") or free_port())
        self.cdn_distributions: list[Distribution] = []
        self.websocket_api: WebSocketApi | None = None

    # ------------------------------------------------------------------ setup (blocking)
    def prepare(self) -> None:
        if self.config.fresh:
            self.state.wipe()
        endpoint, aws_env = self._start_backend()
        self._endpoint = endpoint
        template = self.template
        keys = self._provision_and_seed()
        _, api = template.api()
        self.workers = Workers(
            template.functions(),
            # Functions' Lambda clients invoke functions of this stack, at its Lambda API.
            {**aws_env, "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{self.config.port}"},
            max_workers=int(os.environ.get("ECKO_MAX_WORKERS", "4")),
            idle_seconds=float(os.environ.get("ECKO_IDLE_SECONDS", "300")),
        )
        services = [LambdaApi(self.workers, template.function_names())]
        local_routes = {
            "/_local/health": self._health,
            "/_local/openapi.json": self._openapi_json,
            "/_local/docs": self._docs,
        }
        if self.credentials["realtime"]:
            local_routes.update(RealtimePage(self.credentials["realtime"]).routes())
        websocket = None
        if self.websocket_api:
            websocket = WebSocketGateway.from_environment(self.websocket_api, self.workers)
            services.append(websocket.connections_api)
        self.gateway = Gateway(
            routes=template.routes(),
            api=api,
            workers=self.workers,
            keys=keys,
            limiter=RateLimiter(),
            local_routes=local_routes,
            services=services,
            websocket=websocket,
        )

    def _provision_and_seed(self) -> KeyDirectory:
        """The template's resources in the backend, the data saved last, the seeded credentials;
        returns the gateway's view of API keys and plans."""
        template = self.template
        # The embedded emulator starts empty: the data saved last goes back in before the tables'
        # streams begin, so stream consumers see what changes from then on, not the restore.
        restoring = self.emulator is not None
        provision(template, self.session, streams=not restoring)
        if restoring:
            self.state.load_data(template, self.session)
            enable_streams(template, self.session)
        apigateway = self.session.client("apigateway")
        plan_ids = ensure_usage_plans(template, apigateway)
        self.credentials = self._seed(self._endpoint, apigateway, plan_ids)
        self.state.write_credentials(self.credentials)
        # The gateway asks for keys while serving: it must give up quickly when the backend hangs.
        lookups = self.session.client(
            "apigateway",
            config=botocore.config.Config(
                connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 1}
            ),
        )
        return KeyDirectory(lookups, set(plan_ids.values()))

    def _restart_emulator(self) -> None:
        assert self.emulator is not None and self.gateway is not None
        self.gateway.backend_ready = False  # until its resources and data are back
        self.emulator.start(self.state.root / "emulator.log")
        self.gateway.keys = self._provision_and_seed()
        self.gateway.backend_ready = True
        log.warning("the AWS emulator is back on %s, with the data saved last", self.emulator.url)

    async def supervise_emulator(self) -> None:
        """The embedded emulator holds every table, bucket and queue: if it exits, start it again
        on the same port with the data saved last (at most a minute old) and the same credentials.
        Meanwhile the gateway answers what needs the backend with 503s."""
        assert self.emulator is not None
        while True:
            await asyncio.sleep(1)
            process = self.emulator.process
            if process is None or process.poll() is None:
                continue
            log.error(
                "the AWS emulator exited (code %s): restarting it; see %s",
                process.returncode,
                self.state.root / "emulator.log",
            )
            try:
                await asyncio.to_thread(self._restart_emulator)
            except Exception:  # it will be tried again in a second
                log.exception("the AWS emulator could not be restarted")

    def _start_backend(self) -> tuple[str | None, dict[str, str]]:
        """The embedded emulator, unless AWS_ENDPOINT_URL or AWS_PROFILE points elsewhere."""
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if not endpoint and not os.environ.get("AWS_PROFILE"):
            self.emulator = Emulator(int(os.environ.get("ECKO_AWS_PORT") or free_port()))
            self.emulator.start(self.state.root / "emulator.log")
            endpoint = self.emulator.url
        aws_env = _aws_environment(endpoint)
        os.environ.update(aws_env)
        self.session = boto3.session.Session(region_name=REGION)
        account = "123456789012" if self.emulator else self.session.client("sts").get_caller_identity()["Account"]
        local_defaults = {"PublicBaseUrl": f"http://127.0.0.1:{self.config.port}"}
        declared = load_yaml(self.config.template_path).get("Parameters", {})
        if "StripeApiBase" in declared and "StripeApiBase" not in self.config.overrides:
            stripe = LocalStripe(free_port())
            try:
                stripe.start(self.state.root / "stripe.log")
            except RuntimeError as error:  # the API still runs; only Stripe calls (top-ups) fail
                log.warning("no Stripe emulator (%s): set StripeApiBase to reach a Stripe", error)
                stripe.stop()
            else:
                self.stripe = stripe
                local_defaults["StripeApiBase"] = stripe.url
        if "GoogleDiscoveryUrl" in declared and "GoogleDiscoveryUrl" not in self.config.overrides:
            local_defaults.update(self._start_sign_in_provider())
        overrides = dict(self.config.overrides)
        # Local development: webhook endpoints may be receivers on this machine (the template's
        # Rules allow it in the dev environment alone), but never the stack's own services.
        environment = overrides.get("Environment", declared.get("Environment", {}).get("Default", "dev"))
        if environment == "dev":
            local_defaults["WebhooksAllowLoopbackTargets"] = "true"
        refused = self.own_ports(endpoint) | _ports(overrides.get(REFUSED_PORTS_PARAMETER, ""))
        local_defaults[REFUSED_PORTS_PARAMETER] = ",".join(str(port) for port in sorted(refused))
        if REFUSED_PORTS_PARAMETER in overrides:  # the user's ports add to the stack's own, never replace them
            overrides[REFUSED_PORTS_PARAMETER] = local_defaults[REFUSED_PORTS_PARAMETER]
        self.template = Template(
            self.config.template_path, overrides=overrides, account_id=account, local_defaults=local_defaults
        )
        self.cdn_distributions = distributions(self.template)
        for distribution in self.cdn_distributions:  # the local CDN in CloudFront's place
            self.template.set_att(distribution.logical_id, "DomainName", f"127.0.0.1:{self.cdn_port}")
        self.websocket_api = websocket_api(self.template)
        if self.websocket_api:  # served on the gateway's port
            self.template.set_att(self.websocket_api.logical_id, "ApiEndpoint", f"ws://127.0.0.1:{self.config.port}")
        return endpoint, aws_env

    def _start_sign_in_provider(self) -> dict[str, str]:
        """A real OpenID Connect provider in Google's place (infra/local/oidc), so sign-in works
        offline: its demo accounts sign in by name on its page. Returns the template parameters that
        point sign-in at it; none when it cannot run (no Node.js), and sign-in then goes to Google."""
        secret = secrets.token_urlsafe(24)
        callback = f"http://127.0.0.1:{self.config.port}/social-login/callback/google"
        try:
            provider = start_oidc_provider(
                self.state.root / "oidc",
                client_id=LOCAL_GOOGLE_CLIENT_ID,
                client_secret=secret,
                redirect_uris=[callback],
                accounts=DEMO_ACCOUNTS,
            )
        except OidcProviderError as error:
            log.warning("no local sign-in provider (%s): sign-in goes to Google", error)
            return {}
        self.sign_in_provider, self._google_client_secret = provider, secret
        return {"GoogleDiscoveryUrl": provider.discovery_url, "GoogleClientId": LOCAL_GOOGLE_CLIENT_ID}

    def own_ports(self, endpoint: str | None) -> set[int]:
        """The ports of the stack's own services: its gateway, its AWS backend (embedded or not),
        its Stripe emulator (or the Stripe it was pointed at). Webhook endpoints may not target
        them on loopback."""
        ports = {self.config.port, self.cdn_port}
        if self.emulator:
            ports.add(self.emulator.port)
        if self.stripe:
            ports.add(self.stripe.port)
        for url in (endpoint, self.config.overrides.get("StripeApiBase")):
            if url and (port := urllib.parse.urlsplit(url).port):
                ports.add(port)
        return ports

    def _seed(self, endpoint: str | None, apigateway: Any, plan_ids: dict[str, str]) -> dict[str, Any]:
        """Catalogues, signing keys, cursor keys, the demo API key and integration, and the Stripe
        emulator's secrets and webhook; returns the developer's credentials."""
        template, stored = self.template, self.state.secrets()
        seed_translations(template, self.session, self.config.seed_dir or self.config.root / "infra" / "seed")
        ring = seed_keys(template, self.session, stored)
        seed_cursor_keys(template, self.session, stored)
        base = f"http://127.0.0.1:{self.config.port}"
        credentials: dict[str, Any] = {
            "api_url": base,
            "openapi_url": f"{base}/_local/openapi.json",
            "docs_url": f"{base}/_local/docs",
            "aws_endpoint_url": endpoint,
            "media_cdn_url": f"http://127.0.0.1:{self.cdn_port}" if self.cdn_distributions else None,
            "usage_plans": {lid: template.usage_plans()[lid]["UsagePlanName"] for lid in plan_ids},
        }
        api_key_id = None
        if DEMO_PLAN in plan_ids:
            stored.setdefault("api_key", "ekl_" + secrets.token_urlsafe(24))
            api_key_id = ensure_api_key(
                apigateway, name=DEMO_KEY_NAME, value=stored["api_key"], plan_id=plan_ids[DEMO_PLAN]
            )
            credentials["api_key"] = stored["api_key"]
        realtime_secret = seed_realtime_secret(template, self.session, stored)
        stage = self.websocket_api.stage if self.websocket_api else None
        credentials["realtime"] = realtime_credentials(template, realtime_secret, self.config.port, stage)
        webhook_secret = seed_stripe_webhook_secret(template, self.session, stored)
        if webhook_secret:
            credentials["stripe_webhook_secret"] = webhook_secret
            if self.stripe and "StripeApiKey" in template.resources:
                # localstripe takes any test key; it signs its webhooks with our secret.
                self.session.client("secretsmanager").put_secret_value(
                    SecretId=template.physical_name("StripeApiKey"), SecretString="sk_test_eckospace_local"
                )
                self.stripe.send_webhooks_to(f"{base}/payment/stripe/webhook", webhook_secret)
                credentials["stripe_api_base"] = self.stripe.url
        demo_client = seed_demo_integration(template, self.session, stored, api_key_id)
        if demo_client:
            credentials.update(demo_client, token_url=f"{base}/api/oauth/token")
        if self.sign_in_provider and "GoogleClientSecret" in template.resources:
            self.session.client("secretsmanager").put_secret_value(
                SecretId=template.physical_name("GoogleClientSecret"), SecretString=self._google_client_secret
            )
            credentials["sign_in"] = {
                "url": f"{base}/social-login/redirect/google",
                "provider": self.sign_in_provider.issuer,
                "accounts": [account.sub for account in DEMO_ACCOUNTS],
            }
        if ring is not None:
            credentials["token"], credentials["token_expires_at"] = mint_dev_token(template, ring)
        self.state.save_secrets(stored)
        return credentials

    # ------------------------------------------------------------------ local endpoints
    async def _health(self, request: Request) -> HttpAnswer:
        """Liveness plus each function's sandbox figures (cold starts, invocations, init times)."""
        functions = {
            name: {
                "cold_starts": pool.stats.cold_starts,
                "invocations": pool.stats.invocations,
                "init_ms": [round(ms, 1) for ms in pool.stats.init_ms[-10:]],
            }
            for name, pool in self.workers.pools.items()
        }
        body = json.dumps({"status": "ok", "functions": functions}).encode()
        return HttpAnswer(200, [("Content-Type", "application/json")], body)

    async def _openapi_json(self, request: Request) -> HttpAnswer:
        async with self._openapi_built:
            if self._openapi is None:
                document = await asyncio.to_thread(merged_document, self.template)
                document["servers"] = [{"url": self.credentials["api_url"], "description": "local stack"}]
                self._openapi = render(document).encode()
        return HttpAnswer(200, [("Content-Type", "application/json")], self._openapi)

    async def _docs(self, request: Request) -> HttpAnswer:
        from aws_lambda_powertools.event_handler.openapi.swagger_ui import html

        assets = Path(html.__file__).parent
        page = html.generate_swagger_html(
            spec=(await self._openapi_json(request)).body.decode(),
            swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(),
            swagger_css=(assets / "swagger-ui.min.css").read_text(),
            swagger_base_url="",
            oauth2_config=None,
            persist_authorization=True,
        )
        return HttpAnswer(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())

    # ------------------------------------------------------------------ run
    def save(self) -> None:
        if self.emulator and self.template and self.emulator.process and self.emulator.process.poll() is None:
            self.state.save_data(self.template, self.session)

    async def serve(self) -> None:
        import uvicorn

        server = uvicorn.Server(
            uvicorn.Config(
                self.gateway,
                host="127.0.0.1",
                port=self.config.port,
                log_level="warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=5,
                **SERVER_OPTIONS,
            )
        )
        servers = [server]
        for distribution in self.cdn_distributions[:1]:  # one loopback port: one distribution
            cdn = LocalCdn(distribution, self.session.client("s3"))
            servers.append(
                uvicorn.Server(
                    uvicorn.Config(cdn, host="127.0.0.1", port=self.cdn_port, log_level="warning", lifespan="off")
                )
            )
        sqs = self.session.client("sqs")
        self.pollers = [SqsPoller(source, self.workers, sqs) for source in sqs_sources(self.template)]
        self.pollers += self._stream_pollers(sqs)
        scheduler = Scheduler(self.template, self.workers, speed=float(os.environ.get("ECKO_SCHEDULE_SPEED", "1")))

        async def save_every_minute() -> None:
            while True:
                await asyncio.sleep(60)
                await asyncio.to_thread(self.save)

        async def announce() -> None:
            while not server.started:  # uvicorn offers no startup hook of its own
                await asyncio.sleep(0.05)
            for poller in self.pollers:
                poller.start()
            scheduler.start()
            print(self.banner(), flush=True)

        tasks = [asyncio.create_task(announce())]
        if self.emulator:
            tasks += [asyncio.create_task(save_every_minute()), asyncio.create_task(self.supervise_emulator())]
        tasks += [asyncio.create_task(cdn_server.serve()) for cdn_server in servers[1:]]
        try:
            await server.serve()
        finally:
            for cdn_server in servers[1:]:
                cdn_server.should_exit = True
            for task in tasks:
                task.cancel()
            for poller in self.pollers:
                await poller.stop()
            await scheduler.stop()
            await self.workers.close()  # after the pollers: none may be mid-invocation

    def _stream_pollers(self, sqs: Any) -> list[Poller]:
        # Two attempts at most: a stream poller backs off and finds its place again itself.
        config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 2})
        dynamodb = self.session.client("dynamodb", config=config)
        streams = self.session.client("dynamodbstreams", config=config)
        return [
            DynamoDbStreamPoller(source, self.workers, dynamodb=dynamodb, streams=streams, sqs=sqs)
            for source in stream_sources(self.template)
        ]

    def banner(self) -> str:
        c = self.credentials
        return "\n".join(
            [
                "",
                f"EckoSpace API (local) on {c['api_url']}",
                f"  interactive docs  {c['docs_url']}",
                f"  OpenAPI           {c['openapi_url']}",
                f"  AWS backend       {c['aws_endpoint_url'] or 'your AWS profile'}",
                f"  media CDN         {c['media_cdn_url'] or 'off (EnableMedia=false)'}",
                f"  realtime          {self._realtime_line()}",
                f"  credentials       {self.state.credentials_path}",
                "",
                "Try it:",
                f'  curl -H "x-api-key: $(jq -r .api_key {self.state.credentials_path})" \\',
                f'       -H "Authorization: Bearer $(jq -r .token {self.state.credentials_path})" \\',
                f"       '{c['api_url']}/api/translations/app?locale=fr-CA'",
                "",
                "Ctrl-C stops it; data is kept for the next run (FRESH=1 starts over).",
                "",
            ]
        )

    def _realtime_line(self) -> str:
        realtime = self.credentials["realtime"]
        if not realtime:
            return "off (EnableRealtime=false)"
        return f"{realtime['ws_url']} (in a browser: {self.credentials['api_url']}{PAGE_PATH})"

    def shutdown(self) -> None:
        try:
            self.save()
        finally:
            for service in (self.sign_in_provider, self.stripe, self.emulator):
                if service:
                    service.stop()


def run(config: StackConfig) -> None:
    stack = LocalStack(config)
    try:
        stack.prepare()
        # SIGTERM ends the server the same way Ctrl-C does (uvicorn handles both).
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        asyncio.run(stack.serve())
    except KeyboardInterrupt:
        pass
    finally:
        stack.shutdown()
