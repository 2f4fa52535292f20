"""python -m bench [--only NAME ...] [--quick]: run the benchmarks, write results.json and
results.md next to this file, and print the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    authorizer_cpu,
    backend_calls,
    cold_start,
    marketplace_browse,
    media_delivery,
    realtime,
    stacks,
    throughput,
    upload_cpu,
    warm_cpu,
    webhook_cpu,
    webhook_fanout,
)
from bench.common import running_backend

HERE = Path(__file__).resolve().parent
NAMES = (
    "cold_start",
    "warm_cpu",
    "authorizer_cpu",
    "webhook_cpu",
    "upload_cpu",
    "webhook_fanout",
    "backend_calls",
    "media_delivery",
    "throughput",
    "marketplace_browse",
    "realtime",
    "stacks",
)


def _source_state() -> dict[str, Any]:
    """The commit measured, and the files changed since it (read-only git; no index writes)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
        )
        return done.stdout.rstrip()  # porcelain lines start with a status column that may be blank

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if not line[3:].startswith("bench/")]
    return {"commit": git("rev-parse", "HEAD").strip() or None, "uncommitted_changes": changed}


def _progress(name: str) -> None:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)


def run(only: list[str], quick: bool, workdir: Path) -> dict[str, Any]:
    on_backend = {  # the benchmarks that share one seeded emulator
        "cold_start": lambda backend: cold_start.run(backend, rounds=5 if quick else cold_start.ROUNDS),
        "warm_cpu": lambda backend: warm_cpu.run(backend, rounds=4 if quick else warm_cpu.ROUNDS),
        "authorizer_cpu": lambda backend: authorizer_cpu.run(backend, rounds=3 if quick else authorizer_cpu.ROUNDS),
        "webhook_cpu": lambda backend: webhook_cpu.run(backend, rounds=2 if quick else webhook_cpu.ROUNDS),
        "upload_cpu": lambda backend: upload_cpu.run(backend, rounds=2 if quick else upload_cpu.ROUNDS),
        "webhook_fanout": lambda backend: webhook_fanout.run(backend, rounds=2 if quick else webhook_fanout.ROUNDS),
        "backend_calls": backend_calls.run,
        "media_delivery": lambda backend: media_delivery.run(
            backend, requests=60 if quick else media_delivery.REQUESTS
        ),
    }
    results: dict[str, Any] = {}
    wanted = [name for name in on_backend if name in only]
    if wanted:
        with running_backend(workdir) as backend:
            for name in wanted:
                _progress(name)
                results[name] = on_backend[name](backend)
    if "stacks" in only:
        _progress("stacks")
        results["stacks"] = stacks.run()
    if "throughput" in only:  # after that emulator has stopped: the local stack brings its own
        _progress("throughput")
        results["throughput"] = throughput.run(
            workdir, rounds=1 if quick else throughput.ROUNDS, seconds=3.0 if quick else throughput.SECONDS
        )
    if "marketplace_browse" in only:  # with a local stack of its own, and a seeded catalogue
        _progress("marketplace_browse")
        results["marketplace_browse"] = marketplace_browse.run(
            workdir, requests=50 if quick else marketplace_browse.REQUESTS
        )
    if "realtime" in only:  # with a local stack of its own, and real clients
        _progress("realtime")
        results["realtime"] = realtime.run(workdir)
    return results


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def _table(header: list[str], lines: list[list[Any]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(v) for v in line) + " |" for line in lines),
    ]


def _cold_section(found: dict[str, Any]) -> list[str]:
    out = ["## Cold start, median ms", ""]
    out += _table(
        [
            "Function",
            "python alone",
            "floor",
            "import only",
            "import + first call",
            "in-process import",
            "in-process first call",
        ],
        [
            [
                lid,
                f["median_ms"]["python"],
                f["median_ms"]["floor"],
                f["median_ms"]["import"],
                f["median_ms"]["function"],
                f["in_process_ms"]["import"],
                f["in_process_ms"]["first_invocation"],
            ]
            for lid, f in found["functions"].items()
        ],
    )
    for lid, f in found["functions"].items():
        packages = ", ".join(f"{p['package']} {p['ms']:.0f}" for p in f["imports_by_package"])
        out += ["", f"Import time by package, `-X importtime`, first call included ({lid}, ms): {packages}"]
    return out


def _warm_section(found: dict[str, Any]) -> list[str]:
    out = ["## Warm CPU by package, us/request (cProfile, own time; inflated by profiling)", ""]
    for name, areas in found["profile_us_by_package"].items():
        out += [f"- {name}: " + ", ".join(f"{area} {us:g}" for area, us in areas.items())]
    return out


def _calls_section(found: dict[str, Any]) -> list[str]:
    out = ["## Backend calls and the clients that made them", ""]
    for lid, function in found["functions"].items():
        calls = "; ".join(f"{label}: {', '.join(i['calls']) or 'none'}" for label, i in function["invocations"].items())
        clients = "; ".join(
            f"{c['service']} (retries {json.dumps(c['retries'])}, connect/read timeouts "
            f"{c['connect_timeout_s']}/{c['read_timeout_s']} s)"
            for c in function["clients_created"]
        )
        out += [f"- {lid}: {calls}. Clients: {clients or 'none'}"]
    return out


def _throughput_section(found: dict[str, Any]) -> list[str]:
    out = [
        f"## Throughput ({found['connections']} connections, {found['rounds']} windows of "
        f"{found['seconds_per_window']:g} s per server, `{found['path']}`)",
        "",
    ]
    return out + _table(
        ["Server", "req/s (windows)", "p50 ms", "p99 ms", "statuses", "errors", "body bytes"],
        [
            [
                name,
                ", ".join(f"{v:.0f}" for v in t["rps_windows"]),
                t["latency_ms"].get("p50"),
                t["latency_ms"].get("p99"),
                json.dumps(t["statuses"]),
                t["errors"],
                t["body_bytes"],
            ]
            for name, t in found["targets"].items()
        ],
    )


def _stacks_section(found: dict[str, Any]) -> list[str]:
    out = ["## Stacks (SAM's translator; resources and bytes once transformed)", ""]
    out += _table(
        ["Stack", "resources", "KB", "outputs", "parameters"],
        [
            [name, f["resources"], round(f["bytes"] / 1024, 1), f["outputs"], f["parameters"]]
            for name, f in sorted(found["stacks"].items())
        ],
    )
    for label, impact in found["impact"].items():
        changed = "; ".join(f"{stack}: {_changes(changes)}" for stack, changes in impact["changes"].items())
        out += ["", f"A one-line change to `{impact['file']}` ({label}) changes: {changed}"]
    return out


def _changes(changes: list[str]) -> str:
    """The changed resources, or how many of each kind when they are many."""
    if len(changes) <= 6:
        return ", ".join(changes)
    kinds: dict[str, int] = {}
    for change in changes:
        kind = change.split(" (", 1)[1].rstrip(")")
        kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{count} x {kind}" for kind, count in sorted(kinds.items()))


SECTIONS = {
    "cold_start": _cold_section,
    "warm_cpu": _warm_section,
    "backend_calls": _calls_section,
    "throughput": _throughput_section,
    "stacks": _stacks_section,
}


def markdown(report: dict[str, Any]) -> str:
    out = [
        f"# make bench, {report['timestamp']}",
        "",
        f"Python {report['python']} on {report['machine']} ({report['cpus']} CPUs), "
        f"{report['duration_s']:.0f} s. Medians of interleaved runs; ratios are ours / peer.",
        f"Source: {(report['source']['commit'] or 'unknown')[:12]}"
        + (
            f" plus uncommitted changes to {', '.join(report['source']['uncommitted_changes'])}."
            if report["source"]["uncommitted_changes"]
            else " (clean)."
        ),
        "",
    ]
    out += _table(
        ["Benchmark", "Subject", "Ours", "Unit", "Peer", "Peer value", "Ratio", "Budget", "Result"],
        [
            [
                r["benchmark"],
                r["subject"],
                r["value"],
                r["unit"],
                r["peer"],
                r["peer_value"],
                None if r["ratio"] is None else f"{r['ratio']:.2f}x",
                r["budget"],
                "info" if r["pass"] is None else r["pass"],
            ]
            for r in report["rows"]
        ],
    )
    for name, section in SECTIONS.items():
        if name in report["results"]:
            out += ["", *section(report["results"][name])]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, for trying the harness out")
    args = parser.parse_args()
    started = time.monotonic()
    source = _source_state()
    with tempfile.TemporaryDirectory(prefix="eckobench-") as tmp:
        results = run(args.only, args.quick, Path(tmp))
    report = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "duration_s": round(time.monotonic() - started, 1),
        "source": source,
        "quick": args.quick,
        "rows": [r for name in NAMES if name in results for r in results[name].pop("rows")],
        "results": results,
    }
    report["all_budgets_pass"] = all(r["pass"] for r in report["rows"] if r["pass"] is not None)
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (HERE / "results.md").write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
