"""``nastavnik reminders``, ``outbox`` and ``serve``: the sweep by hand, the outbox, the
schedule."""

from __future__ import annotations

import asyncio
from datetime import datetime

import click

from app import output
from app.cli.groups import cli, outbox_cli, reminders_cli
from app.cli.options import json_option
from app.cli.types import IDENTIFIER, MOMENT, SHORT, Count
from domain import database
from domain.schedule import utc_now
from notifications.outbox import count_outbox, list_outbox, retry


@reminders_cli.command("run")
@click.option(
    "--now",
    type=MOMENT,
    help="Момент обхода, ISO 8601; без смещения — местное время каждой организации. "
    "По умолчанию — сейчас.",
)
@click.option(
    "--batch-size",
    type=Count(1, 10_000),
    help="Сообщений в пачке (по умолчанию NASTAVNIK_BATCH_SIZE, 500).",
)
@json_option
def reminders_run(now: datetime | None, batch_size: int | None, as_json: bool) -> None:
    """Один обход: поставить в очередь то, что пора, и отправить очередь."""
    from flows.engine import prefect_failures  # imports Prefect: see stages._act
    from flows.reminders import reminder_sweep

    with prefect_failures("The reminder sweep run by hand"):
        # A naive moment stays naive: each organisation reads it as its own wall clock.
        outcome = asyncio.run(reminder_sweep(now or utc_now(), batch_size=batch_size))
    if as_json:
        output.emit_json(outcome)
    else:
        output.say(
            f"Поставлено в очередь: {outcome.queued}; отправлено: {outcome.sent}; "
            f"повтор позже: {outcome.retrying}; не доставлено: {outcome.failed}"
        )


@outbox_cli.command("list")
@click.option(
    "--status", type=SHORT, help="queued, sending, sent, failed или cancelled (или по-русски)."
)
@click.option("--program", "program_id", type=IDENTIFIER, help="Только сообщения этой программы.")
@click.option("--page", type=Count(1, 1_000_000), default=1, show_default=True, help="Страница.")
@click.option(
    "--per-page",
    type=Count(1, 1000),
    default=100,
    show_default=True,
    help="Сообщений на странице.",
)
@json_option
def outbox_list(
    status: str | None, program_id: int | None, page: int, per_page: int, as_json: bool
) -> None:
    """Сообщения в очереди: кому, о каком этапе, в каком состоянии, почему не ушли."""
    offset = (page - 1) * per_page
    with database.session() as db:
        total = count_outbox(db, status=status, program_id=program_id)
        messages = list_outbox(db, status, program_id, limit=per_page, offset=offset)
    if as_json:
        output.emit_json(messages)
    else:
        rows = [
            [
                str(m.id),
                str(m.program_id),
                f"{m.stage_number} {m.stage_code}" + (f" #{m.occurrence}" if m.occurrence else ""),
                m.person_name,
                m.kind_label,
                output.day(m.due_date),
                m.status_label,
                str(m.attempts),
                m.last_error_label or "",
            ]
            for m in messages
        ]
        output.table(
            "Очередь сообщений",
            ["№", "Программа", "Этап", "Кому", "Что", "Срок", "Состояние", "Попыток", "Ошибка"],
            rows,
        )
    if offset + len(messages) < total or page > 1:
        # Said on stderr too with --json, so that a script's data stays a list.
        shown = f"{offset + 1}–{offset + len(messages)}" if messages else "ни одного"
        rest = f"; дальше: --page {page + 1}" if offset + len(messages) < total else ""
        output.note(f"Показаны сообщения {shown} из {total}{rest}")


@outbox_cli.command("retry")
@click.argument("message_id", metavar="НОМЕР", type=IDENTIFIER)
def outbox_retry(message_id: int) -> None:
    """Вернуть недоставленное сообщение в очередь."""
    with database.session() as db:
        retry(db, message_id)
    output.say(f"Сообщение №{message_id} снова в очереди: уйдёт при следующем обходе")


@cli.command("serve")
@click.option(
    "--cron",
    type=SHORT,
    default="*/15 * * * *",
    show_default=True,
    help="Расписание обхода (cron, UTC).",
)
@click.option(
    "--web-port",
    type=Count(1, 65535),
    default=8000,
    show_default=True,
    help="Порт веб-интерфейса на 127.0.0.1.",
)
@click.option("--no-web", is_flag=True, help="Без веб-интерфейса: только обход напоминаний.")
def serve_command(cron: str, web_port: int, no_web: bool) -> None:
    """Обход напоминаний по расписанию и веб-интерфейс (процесс работает, пока его не
    остановят).

    Без PREFECT_API_URL запускает и свой сервер Prefect: расписание ведёт его планировщик."""
    from deployments.serve import serve_sweep  # imports Prefect: see stages._act

    serve_sweep(cron, output.say, None if no_web else web_port)
