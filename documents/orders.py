"""The order «О закреплении наставнических пар (групп)» that completes stage 20 (fix_pairs) of
the roadmap: the pairs and groups formed at stage 19 fixed by the head of the school, rendered
as a Word document (.docx) to print and sign, and as a printable HTML page.

The facts are plain dataclasses (``OrderFacts``, ``FixedPair``, ``Participant``, ``Official``),
filled from the database by whoever renders the order; this module reads no database. Both
renderings come from one composed text (``compose``), so the .docx and the page never say
different things: the order's wording lives here once, the layouts in ``_write_docx`` and
``templates/order.html``.

What the order says, as Russian schools' orders do:

- the organisation's full name, «ПРИКАЗ», the date and number (either may be left blank for the
  director's office: «№ ____»), the place, and the title;
- a preamble (the school's own regulation on mentoring and the program, without naming a law
  whose number and date a school's program may not share), «ПРИКАЗЫВАЮ:» and the points: the
  pairs and groups fixed as the appendix lists them, the curator appointed (the name in the
  accusative, with their position), the curator's duties (addressed in the dative, with the
  mentors to acquaint named in the accusative), and control kept by the director;
- the director's signature line (position, «И. О. Фамилия»), «С приказом ознакомлены:» with
  the curator and each mentor, and the appendix: one row per pair or group, the mentor, every
  mentee (names in the nominative, as tables write them), the form of mentoring and the term.

Names are declined by ``documents.declension`` where a sentence needs a case; where that is not
certain a name stays in the nominative, and a position that cannot be declined is put in
parentheses after the name rather than in a wrong case.

The .docx holds children's names: it is written as the .xlsx exports are, whole or not at all
and readable by its owner only (``documents.workbooks.FILE_MODE``).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from documents.declension import Case, decline_name, inflect_position, short_name
from documents.workbooks import FILE_MODE
from domain import inputs
from domain.errors import InvalidInput
from domain.forms import FORMS, form_code
from domain.wording import day_text

TITLE = "О закреплении наставнических пар (групп)"
KIND = "ПРИКАЗ"
COMMAND = "ПРИКАЗЫВАЮ:"
ACQUAINTED = "С приказом ознакомлены:"
APPENDIX = "Приложение"
APPENDIX_TITLE = "Наставнические пары (группы)"
COLUMNS = (
    "№ п/п",
    "Наставник (ФИО, должность)",
    "Наставляемый(-ые) (ФИО, класс / должность)",
    "Форма наставничества",
    "Срок",
)
# What the director's office fills in by hand.
NUMBER_BLANK = "____"
DATE_BLANK = "«___» ____________ 20___ г."
SIGNATURE_BLANK = "______________"
WHOLE_PROGRAM = "на период реализации программы"


@dataclass(frozen=True)
class Official:
    """The curator or the director: a full name, surname first, and a position in the
    nominative («учитель математики», «директор»)."""

    name: str
    position: str = ""


@dataclass(frozen=True)
class Participant:
    """A mentor or a mentee: a full name, surname first, and their place: a position
    («учитель физики») or a class («7 «Б» класс»)."""

    name: str
    place: str = ""
    # A minor is acquainted with the order through their legal representatives; None: not
    # known, and the order says so for whoever may be one.
    minor: bool | None = None


@dataclass(frozen=True)
class FixedPair:
    """A pair (one mentee) or a group (several) with its form of mentoring (a code of
    ``domain.forms`` or its Russian name) and its term, if it differs from the program's."""

    mentor: Participant
    mentees: tuple[Participant, ...]
    form: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class OrderFacts:
    """Everything the order says. ``number`` and ``signed_on`` may be left blank for the
    director's office to fill in; ``program_forms`` empty means the forms of the pairs."""

    organisation: str  # the full name, as the school's charter writes it
    program_title: str
    curator: Official
    director: Official
    pairs: tuple[FixedPair, ...]
    program_forms: tuple[str, ...] = ()
    signed_on: date | None = None
    number: str = ""
    place: str = ""  # «г. Заречный», «с. Берёзовка»
    start: date | None = None  # the program's term: the pairs' unless they have their own
    end: date | None = None


@dataclass(frozen=True)
class Point:
    number: str  # «1.», «3.1.»
    text: str

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


@dataclass(frozen=True)
class Row:
    """One row of the appendix: a pair or a group."""

    number: str
    mentor: str  # «Петров Иван Иванович, учитель физики»
    mentees: tuple[str, ...]  # one line per mentee
    form: str
    term: str


@dataclass(frozen=True)
class OrderText:
    """The order as composed from its facts: every line both renderings show, in order."""

    organisation: str
    dated: str  # «15.09.2026» or DATE_BLANK
    number: str  # «№ 45» or «№ ____»
    place: str
    preamble: str
    points: tuple[Point, ...]
    signature: tuple[str, str]  # the director's position and «И. О. Фамилия»
    acquainted: tuple[str, ...]  # «Фамилия И. О.», each to sign
    appendix_reference: str  # «к приказу от 15.09.2026 № 45»
    appendix_subtitle: str  # «программы наставничества «…»»
    rows: tuple[Row, ...]
    kind: str = KIND
    title: str = TITLE
    command: str = COMMAND
    acquainted_heading: str = ACQUAINTED
    appendix: str = APPENDIX
    appendix_title: str = APPENDIX_TITLE
    columns: tuple[str, ...] = COLUMNS
    signature_blank: str = SIGNATURE_BLANK
    date_blank: str = DATE_BLANK
    document_title: str = field(default=f"Приказ «{TITLE}»")


# --- The text -----------------------------------------------------------------------------------


def compose(facts: OrderFacts) -> OrderText:
    """The order's text from its facts; InvalidInput, in Russian, naming what is missing or
    wrong (no pairs, a pair without mentees, an unknown form, a term ending before it starts)."""
    facts = _checked(facts)
    title = facts.program_title
    forms = facts.program_forms or tuple(dict.fromkeys(pair.form for pair in facts.pairs))
    labels = ", ".join(f"«{FORMS[form_code(form)]}»" for form in forms)
    forms_said = (
        f"форма наставничества: {labels}" if len(forms) == 1 else f"формы наставничества: {labels}"
    )
    preamble = (
        f"В соответствии с Положением о наставничестве, в целях реализации программы "
        f"наставничества «{title}» ({forms_said}) и по итогам формирования наставнических пар "
        f"(групп),"
    )
    mentors = list(dict.fromkeys(pair.mentor.name for pair in facts.pairs))
    mentees = list(dict.fromkeys(m.name for pair in facts.pairs for m in pair.mentees))
    minors = any(m.minor is not False for pair in facts.pairs for m in pair.mentees)
    curator = facts.curator
    points = (
        Point(
            "1.", "Закрепить наставнические пары (группы) согласно приложению к настоящему приказу."
        ),
        Point(
            "2.", f"Назначить куратором программы наставничества «{title}» {_appointed(curator)}."
        ),
        Point("3.", f"Куратору программы наставничества {short_name(curator.name, Case.DATIVE)}:"),
        Point(
            "3.1.",
            f"ознакомить с настоящим приказом {_to_acquaint(mentors, len(mentees), minors)};",
        ),
        Point(
            "3.2.",
            "обеспечить организацию работы наставнических пар (групп) в соответствии "
            "с программой наставничества, начиная с первой, организационной, встречи "
            "наставников и наставляемых;",
        ),
        Point(
            "3.3.",
            "обеспечить внесение сведений о закреплённых наставнических парах "
            "(группах) в базы наставников и наставляемых и мониторинг реализации программы "
            "наставничества.",
        ),
        Point("4.", "Контроль за исполнением приказа оставляю за собой."),
    )
    dated = day_text(facts.signed_on) if facts.signed_on else DATE_BLANK
    number = f"№ {facts.number or NUMBER_BLANK}"
    signers = [curator.name, *(name for name in mentors if name != curator.name)]
    position = facts.director.position or "Директор"
    return OrderText(
        organisation=facts.organisation,
        dated=dated,
        number=number,
        place=facts.place,
        preamble=preamble,
        points=points,
        signature=(
            position[0].upper() + position[1:],
            short_name(facts.director.name, initials_first=True),
        ),
        acquainted=tuple(short_name(name) for name in signers),
        appendix_reference=f"к приказу от {dated} {number}",
        appendix_subtitle=f"программы наставничества «{title}»",
        rows=tuple(
            Row(
                number=str(index),
                mentor=_person(pair.mentor),
                mentees=tuple(_person(mentee) for mentee in pair.mentees),
                form=FORMS[form_code(pair.form)],
                term=_term(pair.start or facts.start, pair.end or facts.end),
            )
            for index, pair in enumerate(facts.pairs, start=1)
        ),
    )


def _appointed(curator: Official) -> str:
    """«Иванову Марию Петровну, учителя математики»; a position that cannot be declined with
    certainty is put in parentheses, in the nominative: «Иванову Марию Петровну (тьютор)»."""
    name = decline_name(curator.name, Case.ACCUSATIVE)
    if not curator.position:
        return name
    position = inflect_position(curator.position, Case.ACCUSATIVE)
    return f"{name}, {position}" if position else f"{name} ({curator.position})"


def _to_acquaint(mentors: list[str], mentees: int, minors: bool) -> str:
    """«наставника Петрова Ивана и наставляемых (несовершеннолетних — через …)»: the clause
    on minors unless every mentee is known to be an adult."""
    named = ", ".join(decline_name(name, Case.ACCUSATIVE) for name in mentors)
    whom = f"наставников {named}" if len(mentors) > 1 else f"наставника {named}"
    if not minors:
        return f"{whom} и наставляемого" if mentees == 1 else f"{whom} и наставляемых"
    if mentees == 1:
        return f"{whom} и наставляемого (несовершеннолетнего — через его законных представителей)"
    return f"{whom} и наставляемых (несовершеннолетних — через их законных представителей)"


def _person(participant: Participant) -> str:
    return ", ".join(filter(None, (participant.name, participant.place)))


def _term(start: date | None, end: date | None) -> str:
    if start and end:
        return f"с {day_text(start)} по {day_text(end)}"
    if start:
        return f"с {day_text(start)}"
    if end:
        return f"по {day_text(end)}"
    return WHOLE_PROGRAM


def _checked(facts: OrderFacts) -> OrderFacts:
    """The facts with their texts stripped and checked (no control characters, within sizes)."""

    def text(value: str, what: str, limit: int = inputs.NAME) -> str:
        return inputs.text(value, f"«{what}»", limit)

    def optional(value: str, what: str) -> str:
        return text(value, what) if value.strip() else ""

    if not facts.pairs:
        raise InvalidInput("В приказе нет ни одной наставнической пары (группы): нечего закреплять")
    _check_term(facts.start, facts.end, "программа")
    pairs = []
    for index, pair in enumerate(facts.pairs, start=1):
        where = f"пара (группа) {index}"
        if not pair.mentees:
            raise InvalidInput(f"{where}: нет ни одного наставляемого")
        _check_term(pair.start or facts.start, pair.end or facts.end, where)
        form_code(pair.form)
        pairs.append(
            FixedPair(
                mentor=Participant(
                    text(pair.mentor.name, f"{where}: ФИО наставника"),
                    optional(pair.mentor.place, f"{where}: должность наставника"),
                ),
                mentees=tuple(
                    Participant(
                        text(mentee.name, f"{where}: ФИО наставляемого"),
                        optional(mentee.place, f"{where}: класс или должность наставляемого"),
                        mentee.minor,
                    )
                    for mentee in pair.mentees
                ),
                form=pair.form,
                start=pair.start,
                end=pair.end,
            )
        )
    for form in facts.program_forms:
        form_code(form)
    return OrderFacts(
        organisation=text(facts.organisation, "организация", inputs.REASON),
        program_title=text(facts.program_title, "название программы"),
        curator=Official(
            text(facts.curator.name, "ФИО куратора"),
            optional(facts.curator.position, "должность куратора"),
        ),
        director=Official(
            text(facts.director.name, "ФИО руководителя"),
            optional(facts.director.position, "должность руководителя"),
        ),
        pairs=tuple(pairs),
        program_forms=facts.program_forms,
        signed_on=facts.signed_on,
        number=optional(facts.number, "номер приказа").removeprefix("№").strip(),
        place=optional(facts.place, "место издания"),
        start=facts.start,
        end=facts.end,
    )


def _check_term(start: date | None, end: date | None, where: str) -> None:
    if start and end and end < start:
        raise InvalidInput(
            f"{where}: срок кончается ({day_text(end)}) раньше, чем начинается ({day_text(start)})"
        )


# --- HTML ---------------------------------------------------------------------------------------

_ENVIRONMENT = jinja2.Environment(
    # Beside this file, not looked up by package name (tests/documents has the same name).
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # names, titles and positions are people's input
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(facts: OrderFacts) -> str:
    """The order as one HTML page: printable on A4 (the appendix on its own page), readable on
    a phone (the appendix's rows as cards). Every value is escaped."""
    return _ENVIRONMENT.get_template("order.html").render(order=compose(facts))


# --- .docx --------------------------------------------------------------------------------------

FONT = "Times New Roman"
SIZE = Pt(14)
TABLE_SIZE = Pt(12)
INDENT = Mm(12.5)  # the first line of a paragraph, as Russian documents indent it
# A4 with the margins of Russian official documents: 30 mm on the left for the binding.
PAGE = (Mm(210), Mm(297))
MARGINS = {"left": Mm(30), "right": Mm(15), "top": Mm(20), "bottom": Mm(20)}
COLUMN_WIDTHS = (Mm(10), Mm(40), Mm(46), Mm(38), Mm(31))  # 165 mm: the width of the text


def render_docx(facts: OrderFacts, path: str | Path) -> Path:
    """Write the order as a .docx at ``path``, whole or not at all, readable by its owner only;
    returns the path."""
    path = Path(path)
    text = compose(facts)
    document = Document()
    _write_docx(document, text)
    _save(document, path)
    return path


def docx_bytes(facts: OrderFacts) -> bytes:
    """The order as the bytes of a .docx, to keep in the database with the pairs it fixed."""
    document = Document()
    _write_docx(document, compose(facts))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx_bytes(content: bytes, path: str | Path) -> Path:
    """Write a kept .docx at ``path`` as ``render_docx`` does: whole or not at all, readable by
    its owner only."""
    path = Path(path)
    _save_bytes(content, path)
    return path


def write_html_text(content: str, path: str | Path) -> Path:
    """Write a kept HTML page of the order at ``path`` (UTF-8) as the .docx is written: whole
    or not at all, readable by its owner only."""
    path = Path(path)
    _save_bytes(content.encode("utf-8"), path)
    return path


def _write_docx(document: DocxDocument, text: OrderText) -> None:
    width = _page(document)
    document.core_properties.title = text.document_title
    document.core_properties.author = text.organisation
    document.core_properties.last_modified_by = text.organisation
    document.core_properties.language = "ru-RU"
    document.core_properties.comments = ""

    _paragraph(document, text.organisation, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, "")
    _paragraph(document, text.kind, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=Pt(16))
    _paragraph(document, "")
    dated = _paragraph(document, f"{text.dated}\t{text.number}")
    dated.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    if text.place:
        _paragraph(document, text.place, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "")
    _paragraph(document, text.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, "")
    _paragraph(document, text.preamble, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    _paragraph(document, text.command)
    for point in text.points:
        _paragraph(document, str(point), align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
    _paragraph(document, "")
    _paragraph(document, "")
    position, name = text.signature
    signature = _paragraph(document, f"{position}\t{name}")
    signature.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    _paragraph(document, "")
    _paragraph(document, text.acquainted_heading)
    for signer in text.acquainted:
        line = _paragraph(document, f"{signer}\t{text.signature_blank}\t{text.date_blank}")
        line.paragraph_format.tab_stops.add_tab_stop(Mm(60), WD_TAB_ALIGNMENT.LEFT)
        line.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        line.paragraph_format.space_before = Pt(6)

    caption = _paragraph(document, text.appendix, align=WD_ALIGN_PARAGRAPH.RIGHT)
    caption.paragraph_format.page_break_before = True
    _paragraph(document, text.appendix_reference, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, "")
    _paragraph(document, text.appendix_title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, text.appendix_subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _paragraph(document, "")
    _table(document, text)


def _page(document: DocxDocument) -> Length:
    """A4, the margins, Times New Roman 14 in Russian; the width of the text."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = SIZE
    properties = normal.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for script in ("w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    properties.append(language)
    spacing = normal.paragraph_format
    spacing.space_before = spacing.space_after = Pt(0)
    spacing.line_spacing = 1.0
    return Length(PAGE[0] - MARGINS["left"] - MARGINS["right"])


def _paragraph(
    container: DocxDocument | _Cell,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    indent: bool = False,
    size: Length | None = None,
) -> Paragraph:
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = INDENT
    return paragraph


def _table(document: DocxDocument, text: OrderText) -> None:
    table = document.add_table(rows=1, cols=len(text.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    repeated = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeated.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeated)
    for cell, column in zip(header.cells, text.columns, strict=True):
        _cell(cell, [column], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in text.rows:
        cells = table.add_row().cells
        _cell(cells[0], [row.number], align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(cells[1], [row.mentor])
        _cell(cells[2], list(row.mentees))
        _cell(cells[3], [row.form])
        _cell(cells[4], [row.term])
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width  # the grid, as LibreOffice reads it; the cells, as Word does
        for cell in column.cells:
            cell.width = width


def _cell(
    cell: _Cell, lines: list[str], *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
) -> None:
    """``lines`` as the cell's paragraphs, one each (a group's mentees one under another)."""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold or None
        run.font.size = TABLE_SIZE
        if align is not None:
            paragraph.alignment = align


def _save(document: DocxDocument, path: Path) -> None:
    buffer = io.BytesIO()
    document.save(buffer)
    _save_bytes(buffer.getvalue(), path)


def _save_bytes(content: bytes, path: Path) -> None:
    """Save under a temporary name beside ``path``, flushed to disk, then rename it over
    ``path``: readers see the old file or the whole new one, never a part."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
