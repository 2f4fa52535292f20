"""The layer's dependencies go one way: `eckospace.http` builds on the domain packages, and no module
outside it imports `eckospace.http`, not even lazily inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "core" / "python" / "eckospace"
HTTP = "eckospace.http"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` imports, wherever the import is: `import a.b`, `from a import b`
    (as `a` and `a.b`, since `b` may be a module), relative imports, `importlib.import_module("a")`."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _is_http(module: str) -> bool:
    return module == HTTP or module.startswith(HTTP + ".")


def _domain_modules() -> list[Path]:
    return [path for path in sorted(PACKAGE.rglob("*.py")) if path.relative_to(PACKAGE).parts[0] != "http"]


def test_no_module_outside_eckospace_http_imports_it():
    offenders = {
        _module_name(path): sorted(filter(_is_http, imports))
        for path in _domain_modules()
        if (imports := imported_modules(path.read_text(), _module_name(path), is_package=path.name == "__init__.py"))
        and any(map(_is_http, imports))
    }
    assert not offenders, f"domain modules importing {HTTP}: {offenders}"


def test_the_check_covers_the_whole_layer():
    names = {_module_name(path) for path in _domain_modules()}
    assert {"eckospace.errors", "eckospace.cursors", "eckospace.identity.oauth", "eckospace.posts.reactions"} <= names
    assert not any(map(_is_http, names))


@pytest.mark.parametrize(
    "source",
    [
        "import eckospace.http.problems",
        "from eckospace.http.problems import problem_for",
        "from eckospace import http",
        "from .. import http",
        "from ..http.body import raw_body",
        "def read(event):\n    from eckospace.http.body import raw_body\n    return raw_body(event)",
        "import importlib\nimportlib.import_module('eckospace.http.resolver')",
    ],
)
def test_the_check_sees_every_form_of_import(source):
    assert any(map(_is_http, imported_modules(source, "eckospace.posts.reactions")))


def test_the_check_lets_other_imports_pass():
    source = "from eckospace import errors\nfrom . import store\nimport httpx\nfrom eckospace.https import x"
    assert not any(map(_is_http, imported_modules(source, "eckospace.posts.reactions")))
