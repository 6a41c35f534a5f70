"""`python -m drills.host --port P`: the local host alone (no tenant), configured from the environment,
as `loket run --tenant graph` would be; a drill kills it with SIGKILL and starts it again."""

from __future__ import annotations

import argparse
import logging


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reader", choices=["default", "stuck"], default="default",
                        help="stuck: every letter's reader hangs in C code (the drill and its test)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    import bootstrap
    from adapters.store.migrate import upgrade
    from devhost.local_host import serve
    from function_app import app
    from settings import Settings

    settings = Settings().check()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    if args.reader == "stuck":
        from adapters.text_extraction.child_process import ChildProcessExtractor
        from drills.readers import stuck_in_c

        services.__dict__["text_extractor"] = ChildProcessExtractor(
            stuck_in_c, budget_seconds=settings.letter_extraction_seconds,
            max_chars=settings.letter_text_max_chars)
    bootstrap.set_services(services)
    try:
        serve(app, settings, services.bus, services.clock, args.port)
    finally:
        services.close()


if __name__ == "__main__":
    main()
