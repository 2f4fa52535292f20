"""python -m eckolocal [--port N] [--fresh] [--parameter-overrides K=V ...]"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    parser = argparse.ArgumentParser(prog="eckolocal", description="Run the EckoSpace API locally.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ECKO_PORT", "3000")))
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="where credentials and local data live (default: .eckospace)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        default=os.environ.get("FRESH") == "1",
        help="forget local data, keys and credentials from earlier runs",
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="template parameters, as for sam deploy",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    sys.path.insert(0, str(ROOT / "layers" / "core" / "python"))

    from eckolocal.stack import StackConfig, run

    overrides = dict(item.split("=", 1) for item in args.parameter_overrides)
    run(
        StackConfig(
            root=ROOT,
            template_path=args.template.resolve(),
            port=args.port,
            fresh=args.fresh,
            overrides=overrides,
            state_root=args.state_dir,
        )
    )


if __name__ == "__main__":
    main()
