"""The timers of design.md: subscriptions, catch-up, queue metrics, retention (NCRONTAB, seconds first)."""
import logging

import azure.functions as func

from bootstrap import get_services
from handlers.gdpr import apply_retention
from handlers.ops_metrics import metric_points

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.function_name("maintain_subscriptions")
@bp.timer_trigger(arg_name="timer", schedule="0 0 * * * *")
def maintain_subscriptions(timer: func.TimerRequest) -> None:
    """Hourly: renew before expiry, recreate what is missing (the subscription manager fills this)."""
    get_services().maintain_subscriptions()


@bp.function_name("catch_up")
@bp.timer_trigger(arg_name="timer", schedule="0 */15 * * * *")
def catch_up(timer: func.TimerRequest) -> None:
    """Every 15 minutes: re-read recent mail and call records so a dropped notification is filled."""
    get_services().catch_up()


@bp.function_name("publish_queue_metrics")
@bp.timer_trigger(arg_name="timer", schedule="0 * * * * *")
def publish_queue_metrics(timer: func.TimerRequest) -> None:
    """Every minute: the `loket queues` figures as OpenTelemetry gauges (Azure has no oldest-age metric)."""
    services = get_services()
    report = services.queue_report()
    sent = services.metrics.record(metric_points(report))
    log.info("queue metrics: %d points, health %s", sent, report.health, extra={"health": report.health})


@bp.function_name("enforce_retention")
@bp.timer_trigger(arg_name="timer", schedule="0 30 2 * * *")
def enforce_retention(timer: func.TimerRequest) -> None:
    """Nightly: erase contacts older than the policy's retention per channel."""
    services = get_services()
    apply_retention(services.uow(), services.policy, services.now())
    services.checkpoint_audit()  # the audit chain's head, kept outside the database
    services.purge_expired()  # the archive and dead letters too (issue 8: erasure reaches everywhere)
