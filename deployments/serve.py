"""One machine: serve the reminder sweep on a cron schedule with Prefect's ``serve``.

The process polls the Prefect API for scheduled runs and runs them itself; start it with
``nastavnik serve`` and keep it running (a systemd unit: README). Scheduled runs are made by
the Prefect server's scheduler: with ``PREFECT_API_URL`` that server's; without it, a server of
our own (deployments/prefect_server.py), since the embedded one schedules nothing. A cluster
instead deploys the same flow to a work pool with workers; the flow's code does not change.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from contextlib import ExitStack

from prefect import serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from pydantic import ValidationError

from deployments.prefect_server import LocalPrefectServer
from deployments.web_server import WebServer
from domain import database, settings
from domain.accounts import list_accounts
from domain.errors import InvalidInput
from domain.person_links import PUBLIC_URL_VARIABLE, public_url
from flows.engine import configured_api_url, prefect_failures, require_reachable
from flows.reminders import reminder_sweep

DEFAULT_CRON = "*/15 * * * *"


def checked_cron(cron: str) -> CronSchedule:
    """The schedule, or a Russian refusal of a cron line Prefect would not take."""
    try:
        return CronSchedule(cron=cron.strip())
    except ValidationError:
        raise InvalidInput(
            f"Расписание «{cron}» (--cron) не понято: нужна строка cron из пяти полей, "
            "например «*/15 * * * *» (каждые 15 минут) или «0 * * * *» (каждый час)"
        ) from None


def serve_sweep(cron: str, say: Callable[[str], None], web_port: int | None = None) -> None:
    """Block, running the sweep at every tick of ``cron`` (UTC, as Prefect reads it), and the
    web pages on 127.0.0.1:``web_port`` unless it is None."""
    schedule = checked_cron(cron)
    with ExitStack() as stack:
        api_url = configured_api_url()
        if api_url:
            require_reachable(api_url)
            say(f"Сервер Prefect: {api_url} (PREFECT_API_URL); расписание ведёт его планировщик")
        else:
            log = settings.home() / "prefect-server.log"
            say("PREFECT_API_URL не задан: запускаем свой сервер Prefect с планировщиком…")
            server = stack.enter_context(LocalPrefectServer(log))
            api_url = server.api_url
            # The runs this process starts are child processes: they read the environment.
            os.environ["PREFECT_API_URL"] = api_url
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: api_url}))
            say(
                f"Сервер Prefect запущен: {server.url} (запуски видны там же; журнал {log}); "
                "он остановится вместе с этим процессом"
            )
        if web_port is not None:
            web = stack.enter_context(WebServer("127.0.0.1", web_port))
            say(f"Веб-интерфейс: {web.url}/login")
            if public_url() is None:
                # Messages carry personal links; with no public address set, they lead here,
                # which only this machine reaches: said, so that the address gets set.
                os.environ[PUBLIC_URL_VARIABLE] = web.url  # the sweep's runs read it
                say(
                    f"{PUBLIC_URL_VARIABLE} не задан: личные ссылки в письмах ведут на {web.url}; "
                    "задайте адрес, по которому участники открывают страницы"
                )
            else:
                say(f"Личные ссылки в письмах ведут на {public_url()} ({PUBLIC_URL_VARIABLE})")
            with database.session() as db:
                if not list_accounts(db):
                    say(
                        "Учётных записей ещё нет; первого администратора заводит команда "
                        "nastavnik user add --login admin --role administrator"
                    )
        deployment = reminder_sweep.to_deployment(
            name="reminder-sweep",
            cron=schedule.cron,
            description="Reminders, overdue notices and escalations; delivery of the outbox.",
            tags=["nastavnik", "sweep"],
        )
        assert isinstance(deployment, RunnerDeployment)  # called outside an event loop
        say(f"Обход напоминаний по расписанию «{schedule.cron}»; остановить — Ctrl+C")
        # Prefect 3.8's SIGTERM handler calls the async Runner.astop without awaiting it; the
        # runner stops all the same, and its warning would only alarm whoever reads the log.
        warnings.filterwarnings("ignore", "coroutine 'Runner.astop' was never awaited")
        with prefect_failures("Serving the reminder sweep"):
            serve(deployment, print_starting_message=False)
