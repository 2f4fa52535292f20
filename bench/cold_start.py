"""Cold init per function: a fresh Python that imports the handler and answers its first invocation
(against the seeded emulator), beside the floor: a fresh Python that imports boto3 and creates the
clients the function's policies allow it to call.

Every process gets the function's sandbox environment and code directory, as a local stack worker
does, and runs on a Python like Lambda's: boto3 from the runtime and the packages its layers ship,
nothing else of the development environment (bench.runtime). Four kinds of process run in shuffled
order within each round, across all functions: bare `python` (interpreter start), the floor,
`import` (handler module only) and `function` (import plus first invocation); wall-clock is from
spawn until the process prints its answer. One more run per function with `-X importtime` attributes
import time to the packages that caused it.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from bench.common import SUCCESS, Backend, median, outcome, ratio, row
from bench.runtime import lambda_like_environment, runtime_python

BUDGET = 1.3
ROUNDS = 15
MARKER = b"BENCH-ANSWER "

_PYTHON_SCRIPT = f"print({MARKER.decode()!r}, flush=True)"
_FLOOR_SCRIPT = f"""
import sys, boto3
clients = [boto3.client(service) for service in sys.argv[1:]]
print({MARKER.decode()!r}, flush=True)
"""
_FUNCTION_SCRIPT = f"""
import importlib, json, os, sys, time
started = time.perf_counter()
module, _, name = os.environ["_HANDLER"].rpartition(".")
handler = getattr(importlib.import_module(module), name)
answer = {{"import_ms": (time.perf_counter() - started) * 1000}}
if sys.argv[1] == "invoke":
    from eckolocal.runtime import LambdaContext
    event = json.loads(sys.stdin.readline())
    invoked = time.perf_counter()
    answer["result"] = handler(event, LambdaContext("bench-cold", int(time.time() * 1000) + 30000))
    answer["invoke_ms"] = (time.perf_counter() - invoked) * 1000
print({MARKER.decode()!r} + json.dumps(answer, default=str), flush=True)
"""


def client_services(backend: Backend, logical_id: str) -> list[str]:
    """AWS services named by the function's policy statements (dynamodb, ssm, ...)."""
    services = set()
    for policy in backend.template.properties(logical_id).get("Policies", []):
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            actions = statement.get("Action", [])
            services.update(a.split(":")[0] for a in ([actions] if isinstance(actions, str) else actions))
    return sorted(services)


def spawn(
    python: str, args: list[str], env: dict[str, str], cwd: str, stdin: bytes | None = None
) -> tuple[float, dict[str, Any]]:
    """Start `python args`, and time it until it prints its answer line; returns (ms, answer)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [python, *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            cwd=cwd,
        )
        if stdin:
            process.stdin.write(stdin)
            process.stdin.close()
        answer = None
        for line in process.stdout:
            if line.startswith(MARKER):
                elapsed = (time.perf_counter() - started) * 1000
                answer = json.loads(line[len(MARKER) :].strip() or b"{}")
                break
        process.stdout.close()
        process.wait(timeout=30)
        if answer is None:
            errors.seek(0)
            raise RuntimeError(f"cold-start child {args[:2]} gave no answer:\n{errors.read().decode()[-3000:]}")
        return elapsed, answer


def import_profile(stderr: str, top: int = 10) -> list[dict[str, Any]]:
    """`-X importtime` output -> self time per owning package, biggest first. A standard-library
    module is charged to the third-party package (or our module) that first imported it."""
    stdlib = sys.stdlib_module_names
    pending: list[tuple[int, str, int, list]] = []  # (depth, name, self_us, children), post-order
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part for part in line.removeprefix("import time:").split("|"))
        depth = (len(name) - len(name.lstrip())) // 2
        children = []
        while pending and pending[-1][0] > depth:
            children.insert(0, pending.pop())
        pending.append((depth, name.strip(), int(self_us), children))
    totals: Counter[str] = Counter()

    def charge(node: tuple[int, str, int, list], owner: str | None) -> None:
        root = node[1].split(".")[0]
        if root not in stdlib or owner is None:
            owner = root
        totals[owner] += node[2]
        for child in node[3]:
            charge(child, owner)

    for node in pending:
        charge(node, None)
    return [{"package": name, "ms": round(us / 1000, 1)} for name, us in totals.most_common(top)]


def run(backend: Backend, *, rounds: int = ROUNDS, seed: int = 7) -> dict[str, Any]:
    events = backend.sample_events()
    specs = {lid: spec for lid, spec in backend.functions().items() if lid in events}
    skipped = sorted(set(backend.functions()) - set(specs))
    kinds: dict[tuple[str, str], tuple[list[str], bytes | None]] = {}
    for lid in specs:
        kinds[lid, "python"] = (["-c", _PYTHON_SCRIPT], None)
        kinds[lid, "floor"] = (["-c", _FLOOR_SCRIPT, *client_services(backend, lid)], None)
        kinds[lid, "import"] = (["-c", _FUNCTION_SCRIPT, "import"], None)
        kinds[lid, "function"] = (["-c", _FUNCTION_SCRIPT, "invoke"], None)  # this round's event
    python = str(runtime_python())
    envs = {lid: lambda_like_environment(spec, backend.sandbox_env(spec)) for lid, spec in specs.items()}
    wall: dict[tuple[str, str], list[float]] = {key: [] for key in kinds}
    inner: dict[str, list[dict[str, Any]]] = {lid: [] for lid in specs}
    shuffler = random.Random(seed)
    for round_number in range(rounds + 1):  # round 0 only warms the page cache
        # Fresh events each round: a run outlasts the five minutes a signed Stripe event is accepted.
        if round_number:
            events = backend.sample_events()
        stdin_of = {lid: (json.dumps(events[lid]) + "\n").encode() for lid in specs}
        order = list(kinds)
        shuffler.shuffle(order)
        for lid, kind in order:
            args, stdin = kinds[lid, kind]
            stdin = stdin_of[lid] if kind == "function" else stdin
            elapsed, answer = spawn(python, args, envs[lid], str(specs[lid].code_dir), stdin)
            if kind == "function" and outcome(answer.get("result")) not in SUCCESS:
                raise RuntimeError(f"{lid} answered its first invocation with {answer.get('result')!r}")
            if round_number:
                wall[lid, kind].append(elapsed)
                if kind in ("import", "function"):
                    inner[lid].append(answer)

    functions: dict[str, Any] = {}
    rows = []
    for lid, spec in specs.items():
        services = client_services(backend, lid)
        floor_name = f"floor (boto3 + {', '.join(services) or 'no'} client{'s' if len(services) > 1 else ''})"
        ms = {kind: median(wall[lid, kind]) for kind in ("python", "floor", "import", "function")}
        invoked = [a for a in inner[lid] if "invoke_ms" in a]
        profiled = subprocess.run(
            [python, "-X", "importtime", "-c", _FUNCTION_SCRIPT, "invoke"],
            input=json.dumps(events[lid]) + "\n",
            capture_output=True,
            text=True,
            env=envs[lid],
            cwd=str(spec.code_dir),
            timeout=60,
            check=False,
        )
        functions[lid] = {
            "services": services,
            "median_ms": {k: round(v, 1) for k, v in ms.items()},
            "in_process_ms": {
                "import": round(median([a["import_ms"] for a in inner[lid]]), 1),
                "first_invocation": round(median([a["invoke_ms"] for a in invoked]), 1),
            },
            "ratio_function_to_floor": ratio(ms["function"], ms["floor"]),
            "ratio_import_to_floor": ratio(ms["import"], ms["floor"]),
            "samples_ms": {kind: [round(v, 1) for v in wall[lid, kind]] for kind in ms},
            "imports_by_package": import_profile(profiled.stderr),
        }
        rows.append(
            row(
                "cold init (spawn to first answer)",
                lid,
                ms["function"],
                "ms",
                peer=floor_name,
                peer_value=ms["floor"],
                limit=BUDGET,
            )
        )
        rows.append(
            row(
                "cold import only (no invocation)",
                lid,
                ms["import"],
                "ms",
                peer=floor_name,
                peer_value=ms["floor"],
                budget="info",
            )
        )
    return {"rounds": rounds, "functions": functions, "skipped_no_sample_event": skipped, "rows": rows}
