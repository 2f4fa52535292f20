"""The OpenAPI contract holds: schemathesis, with every check, against the document the running
local stack serves (`/_local/openapi.json`), finds nothing.

It runs twice against a stack of its own (the shared one's tiny plans would throttle it, and its
one-second authorizer cache would make every case a cold authorization): with a user's token (the
credentials file's, every scope) and with an integration's (the demo integration's client
credentials grant, every scope it may request). Each run leaves out the operations only the other
kind of token may call (`x-eckospace-token-use`): they answer nothing but 403 to it, which the
authorizer's own tests cover. Both runs together generate at least `MIN_CASES` cases; fewer
examples per operation rather than fewer operations keep it short.

The one answer accepted beyond the document, an undeclared method answered 403 by the gateway, and
what the hooks teach schemathesis about values only the API issues, are in
`tests/support/contract_hooks.py`. A failure prints schemathesis's report, each failure with the
curl command that reproduces it (`ECKO_CONTRACT_SEED` replays a run's generation).

Alone: `.venv/bin/python -m pytest tests/e2e/test_contract.py -s`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from eckospace.identity.scopes import SCOPES
from tests.support.contract_hooks import CURRENCIES_SETTING, WEBHOOK_TARGET_SETTING
from tests.support.local_stack import ROOT, RunningStack, free_port, start_stack

MIN_CASES = 2000
EXAMPLES_PER_OPERATION = int(os.environ.get("ECKO_CONTRACT_EXAMPLES", "15"))
SEED = os.environ.get("ECKO_CONTRACT_SEED", "20261202")
RUN_SECONDS = 600  # one run's ceiling; a run takes about a minute here

# Plans wide enough that throttles never hide an answer (they are documented, and tested elsewhere);
# loopback webhook targets allowed, as for every test receiver.
CONTRACT_OVERRIDES = {
    "StandardRateLimit": "10000",
    "StandardBurstLimit": "10000",
    "StandardQuotaPerDay": "10000000",
    "WebhooksAllowLoopbackTargets": "true",
}


@pytest.fixture(scope="module")
def contract_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("contract-stack"), overrides=CONTRACT_OVERRIDES)
    yield running
    assert running.stop() == 0, running.log()[-3000:]


def integration_token(stack: RunningStack) -> str:
    credentials = stack.credentials
    answer = requests.post(
        stack.url("/api/oauth/token"),
        auth=(credentials["client_id"], credentials["client_secret"]),
        headers={"x-api-key": credentials["api_key"]},
        data={"grant_type": "client_credentials", "scope": " ".join(sorted(SCOPES))},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    granted = set(answer.json()["scope"].split())
    assert granted == set(SCOPES), f"the demo integration was not granted every scope: {set(SCOPES) - granted}"
    return answer.json()["access_token"]


def start_schemathesis(stack: RunningStack, token: str, token_use: str, work_dir: Path) -> subprocess.Popen[str]:
    """Schemathesis's CLI with every check, over the operations a `token_use` token may call,
    started in `work_dir`, where it and Hypothesis keep their files."""
    other = {"user": "client", "client": "user"}[token_use]
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "run",
        stack.credentials["openapi_url"],
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        SEED,
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--exclude-by",
        f'/x-eckospace-token-use == ["{other}"]',
        "--header",
        f"x-api-key: {stack.credentials['api_key']}",
        "--header",
        f"Authorization: Bearer {token}",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.support.contract_hooks",
        # a loopback target the stack may deliver to, with nothing listening: deliveries fail, as they may
        WEBHOOK_TARGET_SETTING: f"http://127.0.0.1:{free_port()}/contract-hooks",
        CURRENCIES_SETTING: ",".join(wallet_currencies(stack)),
        "PYTHONPATH": os.pathsep.join(str(ROOT / part) for part in ("", "infra/local", "layers/core/python")),
    }
    work_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(command, cwd=work_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wallet_currencies(stack: RunningStack) -> list[str]:
    """The currencies this deployment's wallets hold, as the API lists them."""
    headers = {"x-api-key": stack.credentials["api_key"], "Authorization": f"Bearer {stack.credentials['token']}"}
    answer = requests.get(stack.url("/api/wallet"), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return [balance["currency"] for balance in answer.json()["balances"]]


def generated_cases(report: str) -> int:
    found = re.search(r"(\d+) generated", report)
    assert found, f"no test case count in schemathesis's report:\n{report[-3000:]}"
    return int(found.group(1))


def test_schemathesis_finds_nothing_with_every_check(contract_stack: RunningStack, tmp_path: Path) -> None:
    tokens = {"user": contract_stack.credentials["token"], "client": integration_token(contract_stack)}
    total = 0
    failed: list[str] = []
    # Both runs at once: most of a case is waiting on the stack, which has cores to spare meanwhile.
    runs = {name: start_schemathesis(contract_stack, token, name, tmp_path / name) for name, token in tokens.items()}
    for name, run in runs.items():
        report, _ = run.communicate(timeout=RUN_SECONDS)
        exit_code = run.returncode
        print(f"\n===== schemathesis with the {name}'s token (exit code {exit_code}) =====\n{report}")
        total += generated_cases(report)
        if exit_code != 0:
            failed.append(
                f"with the {name}'s token: exit code {exit_code}; "
                f"{report[report.find('SUMMARY') :][:1500] if 'SUMMARY' in report else report[-1500:]}"
            )
    assert not failed, (
        "schemathesis found failures (its full report, with curl commands, is printed above):\n" + "\n".join(failed)
    )
    assert total >= MIN_CASES, f"only {total} test cases generated in all; at least {MIN_CASES} are wanted"
