"""``nastavnik consent``: consents to processing and to publication (152-ФЗ) given, withdrawn
and listed; the rules are domain/consents.py's."""

from __future__ import annotations

from datetime import date

import click
from sqlmodel import Session, select

from app import output
from app.cli.groups import consent_cli
from app.cli.options import acting, actor_option, json_option
from app.cli.types import DAY, IDENTIFIER, SHORT
from domain import database
from domain.consents import ConsentView, list_consents
from domain.models import ProgramRole
from domain.people import get_person
from domain.programs import get_program
from domain.schedule import utc_now
from flows.consents import give_consent, withdraw_consent


@consent_cli.command("give")
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@click.option(
    "--kind",
    type=SHORT,
    default="processing",
    show_default=True,
    help="processing (на обработку) или publication (на распространение).",
)
@click.option(
    "--by",
    "given_by",
    type=IDENTIFIER,
    help="Кто дал: для несовершеннолетнего — законный представитель (номер человека).",
)
@click.option("--date", "given_on", type=DAY, help="Дата согласия (по умолчанию сегодня).")
@click.option("--document", type=SHORT, help="Реквизиты документа: «№ 12 от 01.09.2026».")
@actor_option
@json_option
def consent_give(
    person_id: int,
    kind: str,
    given_by: int | None,
    given_on: date | None,
    document: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Записать согласие человека (или законного представителя за несовершеннолетнего)."""
    consent = give_consent(
        person_id,
        kind,
        given_by_id=given_by,
        given_on=given_on,
        document=document,
        actor=acting(actor),
    )
    if as_json:
        output.emit_json(consent)
        return
    output.say(
        f"Записано согласие №{consent.id} {consent.kind_label}: {consent.person_name}, "
        f"дал(а) {consent.given_by_name} {output.day(consent.given_on)}"
    )


@consent_cli.command("withdraw")
@click.argument("consent_id", metavar="СОГЛАСИЕ", type=IDENTIFIER)
@actor_option
@json_option
def consent_withdraw(consent_id: int, actor: str | None, as_json: bool) -> None:
    """Отозвать согласие; действует сразу, ждущие сообщения человеку отменяются."""
    consent, cancelled = withdraw_consent(consent_id, actor=acting(actor))
    if as_json:
        output.emit_json({"consent": consent, "messages_cancelled": cancelled})
        return
    output.say(
        f"Согласие №{consent.id} ({consent.person_name}) отозвано; "
        f"отменено ждущих сообщений: {cancelled}"
    )


@consent_cli.command("list")
@click.option("--person", "person_id", type=IDENTIFIER, help="Согласия этого человека.")
@click.option("--program", "program_id", type=IDENTIFIER, help="Согласия участников программы.")
@json_option
def consent_list(person_id: int | None, program_id: int | None, as_json: bool) -> None:
    """Согласия: чьё, какое, кто дал, когда, действует ли сегодня."""
    today = utc_now().date()
    with database.session() as db:
        if person_id is not None:
            get_person(db, person_id)
        people: list[int] = []
        if program_id is not None:
            get_program(db, program_id)
            people = _program_people(db, program_id)
        found = (
            []
            if program_id is not None and not people
            else list_consents(db, today, person_id=person_id, person_ids=people)
        )
    if as_json:
        output.emit_json(found)
        return
    output.table("Согласия", ["№", "Человек", "Вид", "Дал(а)", "Дата", "Документ", "Действует"],
                 [_row(c) for c in found])  # fmt: skip


def _row(consent: ConsentView) -> list[str]:
    state = "да" if consent.valid_today else "отозвано" if consent.withdrawn_at else "нет"
    return [
        str(consent.id),
        f"{consent.person_name} (№{consent.person_id})",
        consent.kind_label,
        consent.given_by_name,
        output.day(consent.given_on),
        consent.document or "—",
        state,
    ]


def _program_people(db: Session, program_id: int) -> list[int]:
    query = select(ProgramRole.person_id).where(ProgramRole.program_id == program_id)
    return sorted(set(db.exec(query).all()))
