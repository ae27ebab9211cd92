"""hallwatch serve: the web queue on uvicorn, with the periodic jobs of monitor.scheduler,
`/healthz` and `/metrics` (monitor.web.health), and hallwatch's own log lines as JSON."""
from __future__ import annotations

import logging
import logging.config
import os
from datetime import timedelta
from pathlib import Path

import click

from monitor.commands.options import config_option, data_dir_option
from monitor.config import Division, load_division
from monitor.errors import HallwatchError
from monitor.models import utcnow
from monitor.notify import outbox_for
from monitor.runs import open_database
from monitor.scheduler import LiveConfig, build_scheduler
from monitor.webhooks import meta_routes

SECRET_NAME = "HALLWATCH_SECRET_KEY"


def secret_key(division: Division) -> str:
    """The session-signing key: the environment first, then the credentials file; never division.yaml."""
    value = os.environ.get(SECRET_NAME) or division.secret(f"file:{SECRET_NAME}")
    if not value:
        raise HallwatchError(f"{SECRET_NAME} is not set: put a long random value in the environment or in the credentials file (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
    if len(value) < 32:
        raise HallwatchError(f"{SECRET_NAME}: must be at least 32 characters")
    return value


def json_logging() -> None:
    """Every log line of serve is one JSON object on stderr (the journal under systemd): time, level,
    logger, message and the fields hallwatch's lines add (event, cycle, run_id, account, counts).
    hallwatch's own loggers, uvicorn's and APScheduler's alike, so the journal can be read with jq."""
    formatter = {
        "()": "pythonjsonlogger.json.JsonFormatter", "fmt": "{levelname}{name}{message}", "style": "{",
        "timestamp": "time", "rename_fields": {"levelname": "level", "name": "logger"},
    }
    quiet = {"handlers": ["json"], "level": "WARNING", "propagate": False}
    logging.config.dictConfig({
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        # the same redaction as the CLI's: a logged exception never carries SQL parameters or quoted text
        "filters": {"redact": {"()": "monitor.redact.RedactingFilter"}},
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr", "filters": ["redact"]}},
        "loggers": {
            "hallwatch": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "uvicorn.access": quiet,
            # a tick skipped because the last is still running is logged by monitor.scheduler as JSON
            "apscheduler": {**quiet, "level": "ERROR"},
        },
    })


@click.command("serve")
@config_option
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep loopback behind a reverse proxy).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-scheduler", is_flag=True, help="Serve the queue only; cron or systemd timers run `hallwatch run` and `hallwatch queue escalate-overdue`.")
@click.option("--run-every", default=5, show_default=True, type=click.IntRange(1, 24 * 60), help="Minutes between monitoring cycles (each account still waits its poll_minutes).")
@click.option("--run-every-seconds", default=None, type=click.IntRange(1, 24 * 3600), help="Seconds between monitoring cycles instead (for trials and tests).")
@click.option("--stale-after", default=None, type=click.IntRange(1, 7 * 24 * 60), help="Minutes after the last finished cycle when /healthz answers 503 (default: 3 cycles, at least 15; 30 with --no-scheduler).")
def serve_command(
    config_dir: Path, data_dir: Path | None, host: str, port: int, no_scheduler: bool, run_every: int, run_every_seconds: int | None, stale_after: int | None,
) -> None:
    """Run the web review queue, and the monitoring and escalation jobs unless --no-scheduler."""
    import uvicorn

    from monitor.web.app import create_app
    from monitor.web.health import health_routes

    json_logging()
    division = load_division(config_dir)
    key = secret_key(division)
    db = open_database(division, data_dir)
    webhook = meta_routes(db, division)
    cycle = timedelta(seconds=run_every_seconds) if run_every_seconds else timedelta(minutes=run_every)
    if stale_after is not None:
        stale = timedelta(minutes=stale_after)
    else:
        stale = timedelta(minutes=30) if no_scheduler else max(3 * cycle, timedelta(minutes=15))
    live = None if no_scheduler else LiveConfig(division, config_dir)
    health = health_routes(db, stale_after=stale, started_at=utcnow(), config_problems=(lambda: live.problems) if live else None)
    # a manual escalation on the page is e-mailed at once, its copy beside the database as for the CLI
    app = create_app(db, division, secret_key=key, extra_routes=[*health, *webhook], outbox=outbox_for(db, division, data_dir),
                     data_dir=data_dir)
    scheduler = None if live is None else build_scheduler(
        db, division, division.data_dir(data_dir), run_every_minutes=run_every, run_every_seconds=run_every_seconds, live=live,
    )
    click.echo(f"hallwatch queue on http://{host}:{port}/ (links in e-mails use {division.base_url}); /healthz and /metrics for monitoring")
    if webhook:
        click.echo("Meta webhook on /webhooks/meta")
    if scheduler is not None:
        scheduler.start()
        every = f"{run_every_seconds} s" if run_every_seconds else f"{run_every} min"
        click.echo(f"scheduler: a monitoring cycle every {every} (configuration re-read before each), overdue escalation every 15 min, e-mail retried every minute")
    try:
        # proxy headers only from loopback: the reverse proxy in front says whether it was https
        uvicorn.run(app, host=host, port=port, proxy_headers=True, forwarded_allow_ips="127.0.0.1", log_config=None, access_log=False)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        db.dispose()
