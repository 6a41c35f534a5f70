"""`python -m drills.host --port P`: the local host alone (no tenant), configured from the environment,
as `loket run --tenant graph` would be; a drill kills it with SIGKILL and starts it again."""

from __future__ import annotations

import argparse
import json
import logging

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class StructuredFormatter(logging.Formatter):
    """The operator's line, then the record's structured fields (`extra=`) as JSON: the drills' privacy
    check reads those too, since a log shipper (Application Insights) stores them beside the message."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in vars(record).items() if k not in STANDARD}
        return f"{line} {json.dumps(fields, default=str, ensure_ascii=False)}" if fields else line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reader", choices=["default", "stuck"], default="default",
                        help="stuck: every letter's reader hangs in C code (the drill and its test)")
    args = parser.parse_args()
    handler = logging.StreamHandler()
    handler.setFormatter(StructuredFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
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
