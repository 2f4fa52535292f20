"""Every function's template environment gives each setting its code may read.

Settings have no default in code (`eckospace.config`), so a variable the template forgets is a
request failing in production. A function may read every setting of each module its handler can
import, lazily inside a function too: its environment must give all of their variables.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import eckospace
from eckolocal.template import Template
from eckospace.config import Setting

LAYER = Path(eckospace.__path__[0]).parent


def _source(module: str) -> Path | None:
    path = LAYER.joinpath(*module.split("."))
    return next((p for p in (path / "__init__.py", path.with_suffix(".py")) if p.exists()), None)


@functools.cache  # every function's handler reaches many of the same modules
def _imports(path: Path, package: str) -> frozenset[str]:
    """The layer's modules a file imports (`from eckospace.posts import settings` names a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(name for name in names if name.partition(".")[0] == "eckospace" and _source(name))


def reachable_modules(handler: Path) -> set[str]:
    """Every layer module that importing the handler may load, with the packages holding them."""
    seen: set[str] = set()
    pending = list(_imports(handler, ""))
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        pending += [".".join(parts[:end]) for end in range(1, len(parts))]
        path = _source(module)
        assert path is not None
        pending += _imports(path, module if path.name == "__init__.py" else module.rpartition(".")[0])
    return seen


def settings_by_module() -> dict[str, set[str]]:
    """Each layer module's settings: the variables of the `Setting`s it holds."""
    found = {}
    for info in pkgutil.walk_packages(eckospace.__path__, "eckospace."):
        module = importlib.import_module(info.name)
        variables = {value.variable for value in vars(module).values() if isinstance(value, Setting)}
        if variables:
            found[info.name] = variables
    return found


def test_every_function_is_given_each_setting_its_code_may_read(template: Template) -> None:
    settings = settings_by_module()
    problems, used = [], set()
    for logical_id, function in sorted(template.functions().items()):
        handler = function.code_dir / f"{function.handler.rpartition('.')[0]}.py"
        for module in sorted(reachable_modules(handler) & settings.keys()):
            used.add(module)
            missing = sorted(settings[module] - function.environment.keys())
            if missing:
                problems.append(f"{logical_id} imports {module} but its environment lacks {', '.join(missing)}")
    assert not problems, "\n".join(problems)
    assert used == settings.keys(), f"settings no function reads: {sorted(settings.keys() - used)}"
