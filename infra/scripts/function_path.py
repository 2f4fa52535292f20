"""Prints where a function lives in the deployed stacks, as `sam sync --resource-id` takes it:
`PostsModule/PostsGetFunction` for a module stack's function, `AuthAuthorizerFunction` for the
root's. Used by `make sync FUNCTION=<LogicalId>`."""

from __future__ import annotations

import sys
from pathlib import Path

import _backend  # noqa: F401  (the core library and eckolocal on the path)

from eckolocal.template import Template

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: function_path.py <function logical id>", file=sys.stderr)
        return 2
    template = Template(ROOT / "template.yaml")
    if sys.argv[1] not in template.functions():
        print(f"no function {sys.argv[1]} in the templates: {', '.join(sorted(template.functions()))}", file=sys.stderr)
        return 2
    print(template.resource_path(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
