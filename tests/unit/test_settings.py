"""Settings come from the environment the template gives, with no default in code (`eckospace.config`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import eckospace
from eckospace.config import MissingSetting, Setting, flag, forget_settings, items, numbers, text

LAYER = Path(eckospace.__path__[0])
CONFIG = LAYER / "config.py"
# What Lambda itself sets in its sandbox, absent wherever else the code runs: read with a fallback.
SET_BY_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_RUNTIME_API"}


def _is_os(node: ast.expr, attribute: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == attribute and ast.unparse(node.value) == "os"


def _environment_uses(tree: ast.AST) -> list[int]:
    """Lines that touch `os.environ`, `os.getenv` or an imported `environ`/`getenv`."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (_is_os(node, "environ") or _is_os(node, "getenv")):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for alias in node.names if alias.name in ("environ", "getenv")]
    return lines


def _read_with_a_default(tree: ast.AST) -> list[str]:
    """The variables read by `os.environ.get(NAME, default)` or `os.getenv(NAME, default)`."""
    return [
        ast.unparse(node.args[0]).strip("'\"")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and len(node.args) + len(node.keywords) > 1
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "get" and _is_os(node.func.value, "environ"))
            or _is_os(node.func, "getenv")
        )
    ]


def test_the_layer_reads_its_settings_only_through_config_and_with_no_default():
    problems = []
    for path in sorted(LAYER.rglob("*.py")):
        tree = ast.parse(path.read_text())
        where = path.relative_to(LAYER.parent)
        if path == CONFIG:
            defaulted = set(_read_with_a_default(tree)) - SET_BY_LAMBDA
            problems += [f"{where} reads {name} with a default" for name in sorted(defaulted)]
        elif lines := _environment_uses(tree):
            problems.append(f"{where}:{lines[0]} reads the environment: declare an eckospace.config.Setting")
    assert not problems, "\n".join(problems)


LIMIT = Setting("ECKO_TEST_LIMIT", int)


def test_a_missing_setting_is_a_deployment_fault_when_first_read_and_is_read_once(monkeypatch):
    monkeypatch.delenv(LIMIT.variable, raising=False)
    with pytest.raises(MissingSetting, match="ECKO_TEST_LIMIT is not set"):
        LIMIT()
    monkeypatch.setenv(LIMIT.variable, "7")
    assert LIMIT() == 7
    monkeypatch.setenv(LIMIT.variable, "8")
    assert LIMIT() == 7
    forget_settings()
    assert LIMIT() == 8


@pytest.mark.parametrize(
    ("parse", "raw", "value"),
    [
        (text, "eckospace-dev-Posts", "eckospace-dev-Posts"),
        (int, "900", 900),
        (float, "0.5", 0.5),
        (flag, "True", True),
        (flag, "false", False),
        (items, "eur,usd gbp", ("eur", "usd", "gbp")),
        (items, "", ()),
        (numbers, "443, 8443", (443, 8443)),
    ],
)
def test_settings_are_read_as_their_kind(monkeypatch, parse, raw, value):
    monkeypatch.setenv("ECKO_TEST_SETTING", raw)
    assert Setting("ECKO_TEST_SETTING", parse)() == value


@pytest.mark.parametrize(("parse", "raw"), [(text, ""), (int, "ten"), (flag, "yes"), (numbers, "443,https")])
def test_an_unreadable_setting_is_a_deployment_fault(monkeypatch, parse, raw):
    monkeypatch.setenv("ECKO_TEST_SETTING", raw)
    with pytest.raises(MissingSetting, match="ECKO_TEST_SETTING"):
        Setting("ECKO_TEST_SETTING", parse)()
