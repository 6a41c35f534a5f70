"""`python -m devhost.tenant --port 7072 --data-dir DIR`: run the simulated tenant in its own process."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost.tenant", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7072)
    parser.add_argument("--data-dir", type=Path, default=Path("var"))
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)

    import uvicorn

    from devhost.tenant.app import build_app

    logging.basicConfig(level=args.log_level.upper())
    uvicorn.run(
        build_app(args.data_dir), host=args.host, port=args.port, log_level=args.log_level, lifespan="on"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
