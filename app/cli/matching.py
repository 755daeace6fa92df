"""``nastavnik match``: a program's pairs and groups (stages 19 and 20 of the roadmap): the
method and the criteria's weights, pairs pinned or forbidden, a participant's form and
psychological type, the proposal with why each pair, and the order that fixes the pairs,
written to files.

The rules and the matching are domain/pairs.py's; fixing completes stage 20 through the same
flow run as ``nastavnik stage complete``. domain.pairs loads numpy and scipy, so it is imported
by the commands that use it, not when the command line starts.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app import output
from app.cli.groups import match_cli
from app.cli.options import acting, actor_option, json_option, moment_or_now, now_option
from app.cli.types import ADDRESS, IDENTIFIER, SHORT
from documents import files
from domain import database, inputs
from domain.errors import InvalidInput, NastavnikError, NotFound
from domain.forms import FORMS
from domain.programs import program_timezone
from domain.schedule import local_today, utc_now
from domain.states import Action
from domain.wording import counted, day_text

if TYPE_CHECKING:
    from domain.pairs import MatchingView, PersonRef, ProposalView, RuleView

FIX_STAGE = "fix_pairs"  # stage 20 of domain/roadmap.py: completing it fixes the pairs
MATCH_STAGE = "form_pairs"  # stage 19: starting it makes the first proposal


# --- What --json gives -------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionData:
    code: str
    title: str
    weight: float  # 0: not counted
    default_weight: float
    changed: bool


@dataclass(frozen=True)
class PartData:
    """One criterion's part of a pair's score, and the line «почему эта пара» shows."""

    code: str
    title: str
    weight: float
    points: float
    score: float
    explanation: str
    text: str


@dataclass(frozen=True)
class PairData:
    mentor: PersonRef
    mentee: PersonRef
    form: str
    form_label: str
    score: float
    pinned: bool
    breakdown: list[PartData]


@dataclass(frozen=True)
class UnmatchedData:
    person: PersonRef
    side: str
    side_label: str
    reason: str


@dataclass(frozen=True)
class RuleData:
    kind: str  # pin or forbid
    kind_label: str
    mentor: PersonRef
    mentee: PersonRef
    set_by: str
    set_at: datetime


@dataclass(frozen=True)
class BlockingData:
    mentor: PersonRef
    mentee: PersonRef


@dataclass(frozen=True)
class ProposalData:
    id: int
    method: str
    method_label: str
    total: float
    optimum: float | None  # the stable method's: the optimal total with the same pins
    gap_percent: float | None
    blocking: list[BlockingData]
    pairs: list[PairData]  # by mentor: a mentor with several mentees leads a group
    unmatched: list[UnmatchedData]
    made_by: str
    made_at: datetime
    fixed_at: datetime | None
    fixed_on: date | None  # the local date of the order


@dataclass(frozen=True)
class MatchingData:
    program_id: int
    program_title: str
    method: str
    method_label: str
    criteria: list[CriterionData]
    rules: list[RuleData]
    proposal: ProposalData | None
    fixed: bool


@dataclass(frozen=True)
class ProfileData:
    program_id: int
    person_id: int
    name: str
    form: str | None
    form_label: str | None
    psych_type: str | None


@dataclass(frozen=True)
class FixedData:
    program_id: int
    fixed_on: date
    fixed_now: bool  # the stage was completed by this command
    entry_id: int | None  # its audit log entry
    pairs: int
    docx: str
    html: str | None


# --- Options -------------------------------------------------------------------------------


def _program_argument(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("program_id", metavar="ПРОГРАММА", type=IDENTIFIER)(command)


def _pair_arguments(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.argument("mentee_id", metavar="НАСТАВЛЯЕМЫЙ", type=IDENTIFIER)(command)
    command = click.argument("mentor_id", metavar="НАСТАВНИК", type=IDENTIFIER)(command)
    return _program_argument(command)


def _method_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--method", type=SHORT, help=help_text)


# --- Commands ------------------------------------------------------------------------------


@match_cli.command("run", short_help="Подобрать пары заново и показать предложение.")
@_program_argument
@_method_option(
    "Способ подбора на этот раз: optimal (наибольшая общая совместимость) или stable "
    "(устойчивые пары по предпочтениям); по умолчанию — способ программы (match setup)."
)
@now_option
@actor_option
@json_option
def match_run(
    program_id: int, method: str | None, now: datetime | None, actor: str | None, as_json: bool
) -> None:
    """Подобрать пары заново с настройками программы, закреплёнными и запрещёнными парами
    и показать предложение."""
    from domain import pairs

    with database.session() as db:
        view = pairs.propose(
            db, program_id, actor=acting(actor), now=moment_or_now(now), method=method
        )
        tz = program_timezone(db, program_id)
    _show(view, tz, as_json)


@match_cli.command("show", short_help="Подбор пар: настройки, пары и почему, кто без пары.")
@_program_argument
@json_option
def match_show(program_id: int, as_json: bool) -> None:
    """Подбор пар программы: способ и веса критериев, закреплённые и запрещённые пары,
    последнее предложение с объяснением каждой пары, кто без пары и почему, закреплены ли
    пары приказом."""
    from domain import pairs

    with database.session() as db:
        view = pairs.matching_view(db, program_id)
        tz = program_timezone(db, program_id)
    _show(view, tz, as_json)


def _rule_command(kind: str | None, help_text: str) -> Callable[..., Any]:
    @_pair_arguments
    @now_option
    @actor_option
    @json_option
    def command(
        program_id: int,
        mentor_id: int,
        mentee_id: int,
        now: datetime | None,
        actor: str | None,
        as_json: bool,
    ) -> None:
        from domain import pairs

        moment = moment_or_now(now)
        with database.session() as db:
            if kind is None:
                view, taken = pairs.unset_rule(
                    db, program_id, mentor_id, mentee_id, actor=acting(actor), now=moment
                )
                said = _rule_taken_back(taken)
            else:
                view = pairs.set_rule(
                    db, program_id, mentor_id, mentee_id, kind, actor=acting(actor), now=moment
                )
                [rule] = [
                    r for r in view.rules if (r.mentor.id, r.mentee.id) == (mentor_id, mentee_id)
                ]
                said = _rule_set(rule)
            tz = program_timezone(db, program_id)
        if as_json:
            _show(view, tz, as_json)
            return
        output.say(said)
        if view.proposal is None:
            output.say(
                f"Пары программы №{program_id} ещё не подбирались: указание будет учтено при "
                f"подборе (nastavnik match run {program_id})"
            )
            return
        output.say("Пары подобраны заново:")
        _show(view, tz, as_json)

    command.__doc__ = help_text
    return command


match_cli.command("pin", short_help="Закрепить пару: всегда вместе.")(
    _rule_command(
        "pin",
        "Закрепить пару: наставник и наставляемый всегда вместе (при любом подборе); "
        "предложение подбирается заново.",
    )
)
match_cli.command("forbid", short_help="Запретить пару: никогда вместе.")(
    _rule_command(
        "forbid",
        "Запретить пару: наставник и наставляемый никогда не попадут в одну пару; "
        "предложение подбирается заново.",
    )
)
match_cli.command("unpin", short_help="Снять закрепление или запрет пары.")(
    _rule_command(
        None,
        "Снять закрепление или запрет пары; предложение подбирается заново.",
    )
)


@match_cli.command("setup", short_help="Способ подбора и веса критериев.")
@_program_argument
@_method_option(
    "Способ подбора программы: optimal (наибольшая общая совместимость) или stable "
    "(устойчивые пары по предпочтениям)."
)
@click.option(
    "--weight",
    "weights",
    type=SHORT,
    multiple=True,
    metavar="КОД=ВЕС",
    help="Вес критерия: request=3, psych=0 (0 — критерий не учитывается); можно несколько. "
    "Коды критериев — в выводе этой команды.",
)
@actor_option
@json_option
def match_setup(
    program_id: int,
    method: str | None,
    weights: tuple[str, ...],
    actor: str | None,
    as_json: bool,
) -> None:
    """Способ подбора и веса критериев программы; без параметров — показать их. Подбор не
    пересчитывается сам: nastavnik match run."""
    from domain import pairs

    changes = dict(_weight(text) for text in weights)
    with database.session() as db:
        if method is None and not changes:
            view = pairs.matching_view(db, program_id)
        else:
            pairs.configure(
                db,
                program_id,
                actor=acting(actor),
                now=utc_now(),
                method=method,
                weights=changes,
            )
            view = pairs.matching_view(db, program_id)
    if as_json:
        output.emit_json(
            {
                "program_id": program_id,
                "method": view.setup.method.value,
                "method_label": _method_label(view.setup.method),
                "criteria": _criteria(view),
            }
        )
        return
    _setup_text(view)
    if (method is not None or changes) and view.proposal is not None:
        output.say(
            "Последнее предложение подбора сделано с прежними настройками: подберите пары "
            f"заново — nastavnik match run {program_id}"
        )


def _weight(text: str) -> tuple[str, float]:
    """«request=3» as the criterion's code and its weight; refused naming --weight."""
    code, equals, value = text.partition("=")
    example = "например request=3 или psych=0"
    if not equals or not code.strip():
        raise InvalidInput(
            f"Вес критерия «{inputs.shown(text)}» (--weight) не понят: нужно КОД=ВЕС, {example}"
        )
    try:
        weight = float(value.strip().replace(",", "."))
    except ValueError:
        weight = math.nan
    if not math.isfinite(weight):
        raise InvalidInput(
            f"Вес критерия «{inputs.shown(text)}» (--weight): «{inputs.shown(value)}» — не "
            f"число; нужно КОД=ВЕС, {example}"
        )
    return code.strip(), weight


@match_cli.command("profile", short_help="Форма наставничества и психологический тип участника.")
@_program_argument
@click.argument("person_id", metavar="ЧЕЛОВЕК", type=IDENTIFIER)
@click.option(
    "--form",
    type=SHORT,
    help="Форма наставничества, в которой участвует человек (код или название), когда "
    "программа ведёт несколько.",
)
@click.option("--no-form", is_flag=True, help="Убрать форму: её определит подбор.")
@click.option(
    "--psych-type", type=SHORT, help="Психологический тип (по заключению педагога-психолога)."
)
@click.option("--no-psych-type", is_flag=True, help="Убрать психологический тип.")
@actor_option
@json_option
def match_profile(
    program_id: int,
    person_id: int,
    form: str | None,
    no_form: bool,
    psych_type: str | None,
    no_psych_type: bool,
    actor: str | None,
    as_json: bool,
) -> None:
    """Форма наставничества и психологический тип участника для подбора; не указанное
    остаётся как было."""
    from domain import pairs
    from domain.people import get_person

    for given, cleared, name in (
        (form, no_form, "--form"),
        (psych_type, no_psych_type, "--psych-type"),
    ):
        if given is not None and cleared:
            raise InvalidInput(f"Укажите либо {name}, либо --no-{name[2:]}, а не оба")
    with database.session() as db:
        row = pairs.set_profile(
            db,
            program_id,
            person_id,
            actor=acting(actor),
            now=utc_now(),
            form="" if no_form else form,
            psych_type="" if no_psych_type else psych_type,
        )
        person = get_person(db, person_id)
        proposal = pairs.matching_view(db, program_id).proposal
    shown = ProfileData(
        program_id=program_id,
        person_id=person_id,
        name=person.name,
        form=row.form,
        form_label=FORMS.get(row.form, row.form) if row.form else None,
        psych_type=row.psych_type,
    )
    if as_json:
        output.emit_json(shown)
        return
    form_said = f"«{shown.form_label}»" if shown.form_label else "не указана (определит подбор)"
    output.say(
        f"{shown.name} (№{person_id}), программа №{program_id}: форма наставничества "
        f"{form_said}; психологический тип {f'«{row.psych_type}»' if row.psych_type else '—'}"
    )
    if proposal is not None:
        output.say(f"Подбор не пересчитан: nastavnik match run {program_id}")


@match_cli.command("fix", short_help="Закрепить пары приказом и записать приказ в файлы.")
@_program_argument
@click.option(
    "--docx",
    "docx_path",
    type=ADDRESS,
    metavar="ФАЙЛ",
    required=True,
    help="Куда записать приказ о закреплении пар: путь к файлу *.docx (папка должна "
    "существовать; файл с тем же именем заменяется).",
)
@click.option(
    "--html",
    "html_path",
    type=ADDRESS,
    metavar="ФАЙЛ",
    help="Куда записать приказ страницей для печати: путь к файлу *.html.",
)
@now_option
@actor_option
@json_option
def match_fix(
    program_id: int,
    docx_path: str,
    html_path: str | None,
    now: datetime | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Закрепить пары приказом: завершить этап 20 «Закрепление пар приказом» (если пары ещё
    не закреплены) и записать приказ в файлы. Уже закреплённые пары: записать тот же приказ."""
    from documents.orders import write_docx_bytes, write_html_text
    from domain import pairs

    docx = files.target(docx_path, "--docx", (".docx",), "документ Word")
    html = (
        files.target(html_path, "--html", (".html", ".htm"), "страница HTML") if html_path else None
    )
    if html is not None and html == docx:
        raise InvalidInput(f"--docx и --html называют один и тот же файл «{files.shown(docx)}»")
    with database.session() as db:
        fixed = pairs.matching_view(db, program_id).fixed
    entry_id = None
    if not fixed:
        # Imported here: Prefect costs a second to import; the path of ``stage complete``.
        from flows.actions import act_on_stage

        applied = asyncio.run(
            act_on_stage(program_id, FIX_STAGE, Action.COMPLETE, actor=acting(actor), now=now)
        )
        entry_id = applied.entry_id
    with database.session() as db:
        try:
            proposal = pairs.fixed_proposal(db, program_id)
        except NotFound:
            if fixed:
                raise
            # Stage 20 of a program with no mentors and mentees completes with nothing to fix.
            raise NotFound(
                f"Этап 20 программы №{program_id} завершён (запись журнала №{entry_id}), но "
                "закреплять было нечего: в программе нет наставников и наставляемых, приказ не "
                "составлен"
            ) from None
        count = len(pairs.fixed_pairs(db, program_id))
        assert proposal.fixed_at is not None
        fixed_on = local_today(proposal.fixed_at, program_timezone(db, program_id))
        content, page = proposal.order_docx, proposal.order_html
    if content is None or page is None:
        raise NastavnikError(
            f"Приказ о закреплении пар программы №{program_id} не сохранён в базе: записать нечего"
        )
    writes: list[tuple[Path, Callable[[], object]]] = [
        (docx, lambda: write_docx_bytes(content, docx))
    ]
    if html is not None:
        writes.append((html, lambda: write_html_text(page, html)))
    for path, write in writes:
        try:
            write()
        except OSError as failure:
            raise NastavnikError(
                f"Пары программы №{program_id} закреплены приказом {day_text(fixed_on)}, но файл "
                f"«{files.shown(path)}» не записан: {files.write_failure(failure)}. Приказ "
                f"сохранён в базе: nastavnik match fix {program_id} --docx ФАЙЛ запишет его снова"
            ) from None
    result = FixedData(
        program_id=program_id,
        fixed_on=fixed_on,
        fixed_now=not fixed,
        entry_id=entry_id,
        pairs=count,
        docx=str(docx),
        html=str(html) if html else None,
    )
    if as_json:
        output.emit_json(result)
        return
    if fixed:
        head = (
            f"Пары программы №{program_id} уже закреплены приказом {day_text(fixed_on)}; "
            "приказ записан"
        )
    else:
        head = (
            f"Пары программы №{program_id} закреплены приказом {day_text(fixed_on)} (этап 20 "
            f"завершён, запись журнала №{entry_id}; участникам поставлены в очередь сообщения "
            f"о парах); {counted(count, 'пара', 'пары', 'пар')}; приказ записан"
        )
    output.say(f"{head}: {docx}")
    if html is not None:
        output.say(f"Страница для печати: {html}")


# --- Files ---------------------------------------------------------------------------------


# --- Showing -------------------------------------------------------------------------------


def _number(value: float) -> str:
    from domain.matching.criteria import number_text

    return number_text(value)


def _weight_text(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _method_label(method: Any) -> str:
    from domain.matching import METHOD_LABELS

    return METHOD_LABELS[method]


def _criteria(view: MatchingView) -> list[CriterionData]:
    return [
        CriterionData(
            code=criterion.code,
            title=criterion.title,
            weight=weight,
            default_weight=criterion.weight,
            changed=criterion.code in view.setup.changed,
        )
        for criterion, weight in view.setup.criteria
    ]


def _data(view: MatchingView, tz: str) -> MatchingData:
    from domain.matching.candidates import SIDE_LABELS
    from domain.pairs import RULE_LABELS

    proposal = view.proposal
    return MatchingData(
        program_id=view.program_id,
        program_title=view.program_title,
        method=view.setup.method.value,
        method_label=_method_label(view.setup.method),
        criteria=_criteria(view),
        rules=[
            RuleData(r.kind, RULE_LABELS[r.kind], r.mentor, r.mentee, r.set_by, r.set_at)
            for r in view.rules
        ],
        proposal=None
        if proposal is None
        else ProposalData(
            id=proposal.id,
            method=proposal.method.value,
            method_label=proposal.method_label,
            total=proposal.total,
            optimum=proposal.optimum,
            gap_percent=proposal.gap_percent,
            blocking=[BlockingData(mentor, mentee) for mentor, mentee in proposal.blocking],
            pairs=[
                PairData(
                    mentor=pair.mentor,
                    mentee=pair.mentee,
                    form=pair.form,
                    form_label=pair.form_label,
                    score=pair.score,
                    pinned=pair.pinned,
                    breakdown=[
                        PartData(
                            part.code,
                            part.title,
                            part.weight,
                            part.points,
                            part.score,
                            part.explanation,
                            part.text(),
                        )
                        for part in pair.breakdown
                    ],
                )
                for pair in proposal.pairs
            ],
            unmatched=[
                UnmatchedData(u.person, u.side.value, SIDE_LABELS[u.side], u.reason)
                for u in proposal.unmatched
            ],
            made_by=proposal.made_by,
            made_at=proposal.made_at,
            fixed_at=proposal.fixed_at,
            fixed_on=local_today(proposal.fixed_at, tz) if proposal.fixed_at else None,
        ),
        fixed=view.fixed,
    )


def _show(view: MatchingView, tz: str, as_json: bool) -> None:
    if as_json:
        output.emit_json(_data(view, tz))
        return
    _setup_text(view)
    _rules_text(view)
    if view.proposal is None:
        output.say(
            f"Пары программы №{view.program_id} ещё не подобраны: они подбираются, когда "
            f"начинается этап 19 «Формирование пар» (nastavnik stage start {view.program_id} "
            f"{MATCH_STAGE}), или командой nastavnik match run {view.program_id}"
        )
        return
    _proposal_text(view.program_id, view.proposal, tz)


def _setup_text(view: MatchingView) -> None:
    setup = view.setup
    output.say(
        f"Подбор пар программы №{view.program_id} «{view.program_title}». Способ подбора: "
        f"{setup.method.value} — {_method_label(setup.method)}"
    )
    rows = []
    for criterion in _criteria(view):
        weight = _weight_text(criterion.weight)
        if criterion.weight == 0:
            weight += " (не учитывается)"
        if criterion.changed:
            weight += f"; по умолчанию {_weight_text(criterion.default_weight)}"
        rows.append([criterion.code, criterion.title, weight])
    output.table("Критерии подбора", ["Код", "Критерий", "Вес"], rows, whole=("Код",))


def _who(person: PersonRef) -> str:
    """«Орлова Анна Сергеевна (№3, учитель математики)»: the number to type, the place to tell
    namesakes apart."""
    return (
        f"{person.name} (№{person.id}, {person.place})"
        if person.place
        else (f"{person.name} (№{person.id})")
    )


def _pair_text(mentor: PersonRef, mentee: PersonRef) -> str:
    return f"{_who(mentor)} – {_who(mentee)}"


def _rules_text(view: MatchingView) -> None:
    from domain.pairs import FORBID, PIN

    if not view.rules:
        output.say(
            f"Закреплённых и запрещённых пар нет (nastavnik match pin|forbid {view.program_id} "
            "НАСТАВНИК НАСТАВЛЯЕМЫЙ)"
        )
        return
    for kind, title in ((PIN, "Закреплены куратором (всегда вместе)"),
                        (FORBID, "Запрещены куратором (никогда вместе)")):  # fmt: skip
        chosen = [r for r in view.rules if r.kind == kind]
        if chosen:
            output.say(f"{title}:")
            for rule in chosen:
                output.say(f"  • {_pair_text(rule.mentor, rule.mentee)} — {rule.set_by}")


def _rule_set(rule: RuleView) -> str:
    from domain.pairs import PIN

    if rule.kind == PIN:
        return f"Пара {_pair_text(rule.mentor, rule.mentee)} закреплена: всегда вместе"
    return f"Пара {_pair_text(rule.mentor, rule.mentee)} запрещена: никогда вместе"


def _rule_taken_back(rule: RuleView) -> str:
    from domain.pairs import PIN

    what = "Закрепление" if rule.kind == PIN else "Запрет"
    return f"{what} пары {_pair_text(rule.mentor, rule.mentee)} снят"


def _proposal_text(program_id: int, proposal: ProposalView, tz: str) -> None:
    pairs_said = counted(len(proposal.pairs), "пара", "пары", "пар")
    output.say(
        f"Предложение №{proposal.id} от {output.moment(proposal.made_at, tz)} "
        f"({proposal.made_by}): {proposal.method.value} — {proposal.method_label}; "
        f"{pairs_said}, общая совместимость {_number(proposal.total)}"
    )
    if proposal.optimum is not None and proposal.gap_percent is not None:
        gap = max(0.0, proposal.optimum - proposal.total)
        output.say(
            f"Наибольшая возможная совместимость {_number(proposal.optimum)}: устойчивые пары "
            f"уступают ей {_number(gap)} ({_number(proposal.gap_percent)} %)"
        )
        output.say(
            "Неустойчивых пар нет"
            if not proposal.blocking
            else "Неустойчивые пары (оба предпочли бы друг друга): "
            + "; ".join(_pair_text(mentor, mentee) for mentor, mentee in proposal.blocking)
        )
    for mentor, group in proposal.groups:
        kind = f"группа из {len(group)} наставляемых" if len(group) > 1 else "пара"
        output.say(f"Наставник {_who(mentor)} — {kind}:")
        for pair in group:
            pinned = "; закреплена куратором" if pair.pinned else ""
            output.say(
                f"  • {_who(pair.mentee)}: совместимость "
                f"{_number(pair.score)}, форма «{pair.form_label}»{pinned}. Почему эта пара:"
            )
            for part in pair.breakdown:
                output.say(f"      – {part.text()}")
    if proposal.unmatched:
        from domain.matching.candidates import SIDE_LABELS

        output.say("Без пары:")
        for person in proposal.unmatched:
            output.say(f"  • {SIDE_LABELS[person.side]} {_who(person.person)}: {person.reason}")
    if proposal.fixed_at is not None:
        output.say(
            f"Пары закреплены приказом {day_text(local_today(proposal.fixed_at, tz))}: подбор "
            f"больше не меняется (приказ — nastavnik match fix {program_id} --docx ФАЙЛ)"
        )
    else:
        output.say(
            f"Пары ещё не закреплены приказом: nastavnik match fix {program_id} --docx ФАЙЛ "
            "(завершает этап 20 «Закрепление пар приказом»)"
        )
