"""``nastavnik demo``: a municipality, two schools and a program walked through its roadmap:
the 34 stages of the catalogue, one added to it and one dropped.

Simulated time: each action is taken at a moment in the school year (``now``), in the order a
curator would take them, so the audit log reads like a real year. Nothing here is a rule; the
walk calls the same services a curator's commands call.
"""

from __future__ import annotations

import os
import time as clock
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.sink import LocalSink
from documents.orders import write_docx_bytes, write_html_text
from documents.registers import export_register
from domain import database, pairs, settings, surveys
from domain.consents import give_consent
from domain.errors import TransitionRefused
from domain.history import program_history
from domain.meetings import WHOLE_STAGE, mark_held
from domain.models import Person, Stage
from domain.organisations import add_organisation
from domain.participants import Particulars
from domain.people import add_person, assign, set_coordinator
from domain.person_links import PUBLIC_URL_VARIABLE, page_url, public_url
from domain.programs import ProgramView, create_program, program_timezone, program_view
from domain.schedule import as_moment, utc_now
from domain.states import Action
from domain.survey_links import make_token
from flows.actions import act_on_stage
from flows.consents import give_consent as consent_given
from flows.reminders import reminder_sweep
from flows.roadmap_edits import add_stage, drop_stage
from flows.runs import program_flow_runs, where_runs_are
from notifications.messages import plural
from notifications.outbox import list_outbox

ACTOR = "demo"
MINUTE = timedelta(minutes=1)


SWEEP = 0  # a reminder sweep sorts before the stage actions of the same minute
LATE = {"write_cases": 4}  # one stage closes late, to show overdue notices and escalation
PEOPLE = [
    ("Куратор", "curator"),
    ("Руководитель", "director"),
    ("Психолог", "psychologist"),
    ("Наставник 1", "mentor"),
    ("Наставник 2", "mentor"),
    ("Наставляемый 1", "mentee"),
    ("Наставляемый 2", "mentee"),
]
# What each one's place is: a position, as the order fixing the pairs names them.
PLACES = {
    "curator": "заместитель директора по учебно-воспитательной работе",
    "director": "директор",
    "psychologist": "педагог-психолог",
    "mentor": "учитель математики",
    "mentee": "учитель математики",
}
# Years of teaching by the program's start: mentors experienced, mentees young specialists.
TEACHING_YEARS = {"mentor": 15, "mentee": 1}
# This mentee gives consent only when asked, after stage 5 starts; the others did before.
# The same mentee never answers the questionnaire, and is reminded of it.
LATE_CONSENT = "Наставляемый 2"
# This mentor marks the first meeting held on their personal page.
MARKS_MEETING = "Наставник 1"
# The program runs two forms; its teachers all take part in this one (the curator says so).
DEMO_FORM = "teacher_teacher"
# After stage 19 proposes its pairs, the curator pins this one: the rest is matched around it.
PINNED = ("Наставник 2", "Наставляемый 2")
LOCAL_PAGES = "http://127.0.0.1:8000"  # where `nastavnik serve` opens the pages by default
# What the others answer, through their personal links, two days after a survey opens.
DEMO_ANSWERS: dict[str, dict[str, object]] = {
    "mentee_survey": {
        "status": "teacher",
        "place": "МБОУ «Средняя школа № 1», учитель",
        "age": 24,
        "request": "Освоить подготовку старшеклассников к экзаменам",
        "request_topics": "exams",
        "mentor_competencies": "subject_knowledge; exam_preparation",
        "convenient_time": "weekday_after_lessons",
    },
    "mentor_survey": {
        "status": "teacher",
        "place": "МБОУ «Средняя школа № 1», учитель высшей категории",
        "age": 45,
        "competencies": "subject_knowledge; exam_preparation",
        "achievements": "Победители олимпиад, методист округа",
        "mentee_ages": "young_teachers",
        "convenient_time": "weekday_after_lessons",
        "capacity": 2,
    },
}


@dataclass(frozen=True, order=True)
class Step:
    at: datetime  # wall-clock time in the school's zone (naive: the services read it so)
    number: int  # the stage's number; 0 for a reminder sweep
    order: int
    action: Action | None  # None: a reminder sweep
    occurrence: int | None = None


@dataclass(frozen=True)
class DemoReport:
    program_id: int
    steps: int
    audit_entries: int
    flow_runs_known: int
    seconds: float


def school_year_start(today: date) -> date:
    """1 September of the school year that ``today`` belongs to."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


def walk_plan(program: ProgramView) -> list[Step]:
    """Every start, date and completion, each after what it depends on, in time order.

    A stage starts six days before its deadline (or its first date) at 09:00, or just after its
    last prerequisite closes; dates are marked at noon; a stage closes at 15:00 on its deadline
    (the stages in LATE some days after it). A reminder sweep runs at 10:00 three days and one
    day before each deadline, and on the days after a late one.
    """
    closed_at: dict[str, datetime] = {}
    steps: list[Step] = []
    sweep_days: set[date] = set()
    for stage in program.stages:
        first_day = stage.occurrences[0].due_date if stage.occurrences else stage.due_date
        start = datetime.combine(first_day - timedelta(days=6), time(9))
        for code in stage.requires:
            start = max(start, closed_at[code] + MINUTE)
        steps.append(Step(start, stage.number, 0, Action.START))
        last = start
        for occurrence in stage.occurrences:
            marked = max(datetime.combine(occurrence.due_date, time(12)), start + MINUTE)
            steps.append(Step(marked, stage.number, 1, Action.COMPLETE, occurrence.seq))
            last = max(last, marked)
            sweep_days.update(occurrence.due_date - timedelta(days) for days in (3, 1))
        late = LATE.get(stage.code, 0)
        deadline = datetime.combine(stage.due_date + timedelta(late), time(15))
        done = max(deadline + stage.number * MINUTE, last + MINUTE)
        sweep_days.update(stage.due_date - timedelta(days) for days in (3, 1))
        sweep_days.update(stage.due_date + timedelta(days) for days in range(1, late))
        steps.append(Step(done, stage.number, 2, Action.COMPLETE))
        closed_at[stage.code] = done
    steps += [Step(datetime.combine(day, time(10)), SWEEP, 0, None) for day in sweep_days]
    return sorted(steps)


async def run_demo(start: date | None, say: Callable[[str], None]) -> DemoReport:
    with LocalSink() as sink, _links_to_the_local_pages():
        return await _run_demo(start, say, sink)


@contextmanager
def _links_to_the_local_pages() -> Iterator[None]:
    """Messages carry personal links: without a public address set, the demo's lead to the
    pages `nastavnik serve` opens on this machine by default."""
    if public_url() is not None:
        yield
        return
    os.environ[PUBLIC_URL_VARIABLE] = LOCAL_PAGES
    try:
        yield
    finally:
        os.environ.pop(PUBLIC_URL_VARIABLE, None)


def _meeting_marked(program_id: int, name: str, person_id: int, at: datetime, tz: str) -> str:
    """A mentor marks the first meeting held on their personal page, as the page would."""
    with database.session() as db:
        stage = db.exec(
            select(Stage).where(Stage.program_id == program_id, Stage.code == "first_meeting")
        ).one()
        assert stage.id is not None
        person = db.get_one(Person, person_id)
        mark = mark_held(db, person, stage.id, WHOLE_STAGE, None, now=as_moment(at, tz))
    return f"  {name} отметил на своей странице: первая встреча прошла {mark.held_on:%d.%m.%Y}."


def _add_people(
    db: Session,
    school_id: int,
    municipality_id: int,
    pid: int,
    sink: LocalSink,
    start: date,
    created: datetime,
) -> dict[str, int]:
    """The program's people, each with an address on the local sink, and the coordinator;
    the teachers who take part consent to processing their data (all but one, who is asked).
    Returns their ids by name."""
    ids = {}
    for number, (name, role) in enumerate(PEOPLE, start=1):
        years = TEACHING_YEARS.get(role)
        person = add_person(
            db,
            org_id=school_id,
            name=f"Демо: {name}",
            contacts=[sink.url(f"{role}-{number}")],
            now=utc_now(),
            particulars=Particulars(
                category="teacher",
                teaching_since=start.year - years if years else None,
                place=PLACES[role],
            ),
        )
        assign(db, program_id=pid, person_id=person.id, role=role)
        ids[name] = person.id
        if years and name != LATE_CONSENT:
            give_consent(
                db,
                person_id=person.id,
                kind="processing",
                given_by_id=None,
                given_on=start - timedelta(days=10),
                document=f"согласие № {number} от {start - timedelta(days=10):%d.%m.%Y}",
                actor=ACTOR,
                now=created,
            )
    coordinator = add_person(
        db,
        org_id=municipality_id,
        name="Демо: Координатор",
        contacts=[sink.url("coordinator")],
        now=utc_now(),
    )
    set_coordinator(db, org_id=municipality_id, person_id=coordinator.id)
    return ids


def _set_forms(program_id: int, people: dict[str, int], created: datetime) -> None:
    """The program runs two forms: the curator says which one each participant takes part in,
    as matching needs to know."""
    with database.session() as db:
        for name, person_id in people.items():
            if name.startswith(("Наставник", "Наставляемый")):
                pairs.set_profile(
                    db, program_id, person_id, actor=ACTOR, now=created, form=DEMO_FORM
                )


def _proposed_pairs(
    program_id: int, people: dict[str, int], at: datetime, say: Callable[[str], None]
) -> None:
    """Stage 19's flow has proposed pairs; the curator pins one, matching is re-run around
    it, and the demo prints the pairs with why the first one was made."""
    with database.session() as db:
        proposed = pairs.matching_view(db, program_id).proposal
        assert proposed is not None
        say(f"  Подбор пар ({proposed.method_label}): " + _listed_pairs(proposed))
        mentor, mentee = (people[name] for name in PINNED)
        view = pairs.set_rule(db, program_id, mentor, mentee, pairs.PIN, actor=ACTOR, now=at)
    assert view.proposal is not None
    say(f"  Куратор закрепил пару {' – '.join(PINNED)}; подбор заново: "
        + _listed_pairs(view.proposal))  # fmt: skip
    first = view.proposal.pairs[0]
    why = "\n".join(f"      • {part.text()}" for part in first.breakdown)
    say(f"    Почему пара {first.mentor.name} – {first.mentee.name}:\n{why}")


def _listed_pairs(proposal: pairs.ProposalView) -> str:
    return "; ".join(
        f"{p.mentor.name} – {p.mentee.name} ({p.score:.2f})".replace(".", ",")
        + (" закреплена" if p.pinned else "")
        for p in proposal.pairs
    )


def _kept_order(program_id: int, say: Callable[[str], None]) -> list[Path]:
    """The order that fixed the pairs, as kept when stage 20 completed, written beside the
    demo's database for the director to print and sign."""
    folder = settings.home()
    with database.session() as db:
        proposal = pairs.fixed_proposal(db, program_id)
        assert proposal.order_docx is not None and proposal.order_html is not None
        paths = [
            write_docx_bytes(proposal.order_docx, folder / "demo-order.docx"),
            write_html_text(proposal.order_html, folder / "demo-order.html"),
        ]
    say("  Приказ «О закреплении наставнических пар (групп)»: " + ", ".join(map(str, paths)))
    return paths


def _answer_questionnaires(
    program_id: int, stage_code: str, at: datetime, say: Callable[[str], None]
) -> None:
    """The people asked by a stage's questionnaires answer with their personal links, but the
    one who never does; the questionnaires without demo answers stay unanswered."""
    with database.session() as db:
        moment = as_moment(at, program_timezone(db, program_id))
        for row in surveys.program_questionnaires(db, program_id):
            stage = db.get(Stage, row.stage_id)
            if stage is None or stage.code != stage_code or row.code not in DEMO_ANSWERS:
                continue
            answered = []
            for person in surveys.audience(db, row, moment.date()):
                assert row.id is not None and person.id is not None
                if person.name == f"Демо: {LATE_CONSENT}":
                    continue
                token = make_token(row.id, person.id)  # the link in their invitation
                surveys.answer_by_link(db, token, DEMO_ANSWERS[row.code], now=moment)
                answered.append(person.name.removeprefix("Демо: "))
            if answered:
                say(f"  Анкету «{surveys.questionnaire_of(row).title}» заполнили: "
                    + ", ".join(answered))  # fmt: skip


def _minor_consents(
    school_id: int, start: date, created: datetime, sink: LocalSink, say: Callable[[str], None]
) -> None:
    """A pupil of the school, for its next program of pupils: a minor, whose consent only a
    legal representative may give (152-ФЗ); the pupil's own is refused."""
    with database.session() as db:
        mother = add_person(
            db, org_id=school_id, name="Демо: Родитель ученика", contacts=[sink.url("parent")],
            now=created, particulars=Particulars(category="parent", birth_date=date(1985, 3, 1)),
        )  # fmt: skip
        pupil = add_person(
            db, org_id=school_id, name="Демо: Ученик 8 класса", contacts=[sink.url("pupil")],
            now=created, representative_ids=[mother.id],
            particulars=Particulars(category="pupil", school_class="8А",
                                    birth_date=date(start.year - 14, 5, 20)),
        )  # fmt: skip
    given_on = start - timedelta(days=7)
    try:
        consent_given(pupil.id, "processing", given_by_id=None, given_on=given_on,
                      document=None, actor=ACTOR, now=created)  # fmt: skip
    except TransitionRefused:
        say("Согласие ученика 8 класса за себя не принято: ему нет 18 лет.")
    consent_given(
        pupil.id,
        "processing",
        given_by_id=mother.id,
        given_on=given_on,
        document="согласие законного представителя",
        actor=ACTOR,
        now=created,
    )
    say("Согласие на обработку данных ученика дал его законный представитель.")


def _export_registers(program_id: int, day: date) -> list[Path]:
    """The mentee and mentor databases of the program, as the target model asks for them."""
    folder = settings.home()
    with database.session() as db:
        return [
            export_register(db, program_id, which, folder / f"demo-{which}.xlsx", day)
            for which in ("mentees", "mentors")
        ]


async def _run_demo(start: date | None, say: Callable[[str], None], sink: LocalSink) -> DemoReport:
    began = clock.perf_counter()
    real_now = utc_now()
    with database.session() as db:
        municipality = add_organisation(
            db,
            name="Демо: Заречный муниципальный округ",
            kind="municipality",
            timezone="Asia/Yekaterinburg",
            now=real_now,
        )
        school = add_organisation(
            db,
            name="Демо: МБОУ «Средняя школа № 1»",
            kind="school",
            parent_id=municipality.id,
            now=real_now,
        )
        add_organisation(
            db,
            name="Демо: МБОУ «Средняя школа № 2»",
            kind="school",
            parent_id=municipality.id,
            now=real_now,
        )
        start = start or school_year_start(real_now.date())
        program = create_program(
            db,
            org_id=school.id,
            title=f"Наставничество педагогов {start.year}/{start.year + 1}",
            forms=["teacher_teacher", "traditional"],
            role_model="опытный педагог – молодой специалист",
            start=start,
            actor=ACTOR,
            now=datetime.combine(start - timedelta(days=7), time(10)),
        )
        created = as_moment(datetime.combine(start - timedelta(days=7), time(10)), program.timezone)
        people = _add_people(db, school.id, municipality.id, program.id, sink, start, created)
    pid = program.id
    _set_forms(pid, people, created)
    stages = f"{program.stages_total} {plural(program.stages_total, 'этап', 'этапа', 'этапов')}"
    say(
        f"Создан {municipality.name} ({municipality.timezone}), две школы и программа №{pid} "
        f"«{program.title}» с {start:%d.%m.%Y}: {stages} дорожной карты."
    )
    _minor_consents(school.id, start, created, sink, say)
    try:
        await act_on_stage(
            pid, "form_pairs", Action.START, actor=ACTOR, now=datetime.combine(start, time(9))
        )
    except TransitionRefused as refusal:
        say(f"Попытка сразу сформировать пары отклонена, как и должно быть:\n  {refusal}")

    train = next(s for s in program.stages if s.code == "train_mentors")
    await act_on_stage(
        pid,
        "train_mentors",
        Action.RESCHEDULE,
        actor=ACTOR,
        due=train.due_date + timedelta(7),
        reason="эксперт для обучения доступен на неделю позже",
        now=datetime.combine(start + timedelta(days=1), time(11)),
    )
    say(f"Срок обучения наставников перенесён на {train.due_date + timedelta(7):%d.%m.%Y}.")

    # The program's own roadmap: a stage of a known kind added, one that does not apply
    # dropped; the catalogue and other programs stay as they are.
    edited = datetime.combine(start + timedelta(days=1), time(12))
    added = add_stage(
        pid,
        kind="event",
        code="open_lesson",
        title="Открытый урок молодого педагога",
        week=22,
        who=["pair"],
        requires=["first_meeting"],
        actor=ACTOR,
        now=edited,
    )
    dropped = drop_stage(
        pid,
        "inform_parents",
        reason="программа для педагогов: родителей информировать не о чем",
        actor=ACTOR,
        now=edited,
    )
    say(
        f"В дорожную карту программы добавлен этап {added.number} «{added.title}» (срок "
        f"{added.due_date:%d.%m.%Y}), исключён этап {dropped.number} «{dropped.title}»."
    )

    with database.session() as db:
        program = program_view(db, pid, real_now)
    titles = {stage.number: stage.title for stage in program.stages}
    codes = {stage.number: stage.code for stage in program.stages}
    steps = walk_plan(program)
    say(
        f"Проходим дорожную карту в смоделированном времени: {len(steps)} действий и обходов "
        "напоминаний; сообщения уходят на локальный приёмник " + sink.url("")
    )
    for step in steps:
        if step.action is None:
            await reminder_sweep(as_moment(step.at, program.timezone))
            continue
        await act_on_stage(
            pid, str(step.number), step.action, actor=ACTOR, now=step.at, occurrence=step.occurrence
        )
        if codes[step.number] == "survey_mentees" and step.action == Action.START:
            # Asked by the consent request stage 5 sent, the last mentee consents next day.
            answered = step.at + timedelta(days=1)
            consent_given(
                people[LATE_CONSENT],
                "processing",
                given_by_id=None,
                given_on=answered.date(),
                document=f"согласие от {answered:%d.%m.%Y}",
                actor=ACTOR,
                now=as_moment(answered, program.timezone),
            )
            say(f"  Наставляемый 2 получил запрос согласия и дал его {answered:%d.%m.%Y}.")
        if step.action == Action.START:
            _answer_questionnaires(pid, codes[step.number], step.at + timedelta(days=2), say)
        if codes[step.number] == "form_pairs" and step.action == Action.START:
            _proposed_pairs(pid, people, as_moment(step.at + MINUTE, program.timezone), say)
        if codes[step.number] == "fix_pairs" and step.order == 2:
            order = _kept_order(pid, say)
        if codes[step.number] == "first_meeting" and step.action == Action.START:
            held = step.at + timedelta(hours=3)
            say(_meeting_marked(pid, MARKS_MEETING, people[MARKS_MEETING], held, program.timezone))
        if step.order == 2:
            say(f"  {step.number:>2}. {titles[step.number]} — выполнен {step.at:%d.%m.%Y %H:%M}")

    with database.session() as db:
        mentor_link = page_url(db.get_one(Person, people[MARKS_MEETING]))
    exported = _export_registers(pid, real_now.date())
    say("Базы наставляемых и наставников выгружены: " + ", ".join(str(p) for p in exported))
    with database.session() as db:
        program = program_view(db, pid, real_now)
        history = program_history(db, pid)
        sent = Counter(m.kind for m in list_outbox(db, status="sent", program_id=pid))
    runs = {run.id for run in await program_flow_runs(pid)}
    stamped = [row.flow_run_id for row in history if row.flow_run_id]
    known = sum(1 for run_id in stamped if run_id in runs)
    seconds = clock.perf_counter() - began
    say(
        f"\nГотово за {seconds:.1f} с: закрыто этапов {program.stages_closed} из "
        f"{program.stages_total}; записей в журнале {len(history)}; запусков Prefect "
        f"{len(stamped)}, из них API Prefect знает {known}.\n"
        f"База данных Наставника: {database.location()}\n"
        f"Запуски Prefect (тег program:{pid}): {where_runs_are()}\n"
        f"Сообщений отправлено: {sum(sent.values())} (приглашений {sent['invitation']}, "
        f"напоминаний {sent['reminder']}, о просрочке {sent['overdue']}, координатору "
        f"{sent['escalation']}, анкет {sent['questionnaire']}, запросов согласия "
        f"{sent['consent_request']}, о парах {sent['pair']}); приёмник получил "
        f"{len(sink.received)}.\n"
        f"Приказ о закреплении пар: {order[0]} (и для печати {order[1]})\n"
        f"Дальше: nastavnik program show {pid}; nastavnik history {pid}; "
        f"nastavnik outbox list --program {pid}\n"
        f"Веб-страницы: nastavnik serve, затем {public_url()}/login (учётную запись заводит "
        "nastavnik user add --login admin --role administrator); личная страница "
        f"наставника 1, как в его письмах: {mentor_link}"
    )
    return DemoReport(pid, len(steps), len(history), known, seconds)
