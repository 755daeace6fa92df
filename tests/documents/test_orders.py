"""The order «О закреплении наставнических пар (групп)» of stage 20, written as .docx and read
back with python-docx paragraph by paragraph and the appendix cell by cell, and rendered as HTML
and parsed: the same text in both, names declined where the sentences need it and in the
nominative in the table, every value escaped in the HTML; bad facts refused in Russian with no
file written."""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import lxml.html
import pytest

from documents.orders import (
    FixedPair,
    Official,
    OrderFacts,
    Participant,
    compose,
    render_docx,
    render_html,
)
from domain.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]

ORGANISATION = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
    "школа № 1» Заречного городского округа"
)
PROGRAM = "Наставничество 2026/27"

# One pair (teacher to teacher) and one group (a pupil and three pupils).
FACTS = OrderFacts(
    organisation=ORGANISATION,
    program_title=PROGRAM,
    program_forms=("учитель – учитель", "student_student"),
    curator=Official(
        "Иванова Мария Петровна", "заместитель директора по учебно-воспитательной работе"
    ),
    director=Official("Кузнецов Сергей Павлович", "директор"),
    pairs=(
        FixedPair(
            Participant("Мамедов Эльчин Рауф оглы", "учитель физики"),
            (Participant("Шевчук Анна Викторовна", "учитель математики"),),
            "teacher_teacher",
        ),
        FixedPair(
            Participant("Черных Светлана Юрьевна", "ученица 10 «А» класса"),
            (
                Participant("Петров Иван Андреевич", "7 «Б» класс"),
                Participant("Лёвина Алёна Игоревна", "7 «Б» класс"),
                Participant("Гюго Виктор Леопольдович", "7 «В» класс"),
            ),
            "ученик – ученик",
            end=date(2027, 5, 25),
        ),
    ),
    signed_on=date(2026, 10, 5),
    number="45",
    place="г. Заречный",
    start=date(2026, 10, 12),
    end=date(2027, 5, 31),
)

PREAMBLE = (
    "В соответствии с Положением о наставничестве, в целях реализации программы наставничества "
    "«Наставничество 2026/27» (формы наставничества: «учитель – учитель», «ученик – ученик») и "
    "по итогам формирования наставнических пар (групп),"
)
POINTS = [
    "1. Закрепить наставнические пары (группы) согласно приложению к настоящему приказу.",
    "2. Назначить куратором программы наставничества «Наставничество 2026/27» Иванову Марию "
    "Петровну, заместителя директора по учебно-воспитательной работе.",
    "3. Куратору программы наставничества Ивановой М. П.:",
    "3.1. ознакомить с настоящим приказом наставников Мамедова Эльчина Рауф оглы, Черных "
    "Светлану Юрьевну и наставляемых (несовершеннолетних — через их законных представителей);",
    "3.2. обеспечить организацию работы наставнических пар (групп) в соответствии с программой "
    "наставничества, начиная с первой, организационной, встречи наставников и наставляемых;",
    "3.3. обеспечить внесение сведений о закреплённых наставнических парах (группах) в базы "
    "наставников и наставляемых и мониторинг реализации программы наставничества.",
    "4. Контроль за исполнением приказа оставляю за собой.",
]
BLANKS = "\t______________\t«___» ____________ 20___ г."
COLUMNS = [
    "№ п/п",
    "Наставник (ФИО, должность)",
    "Наставляемый(-ые) (ФИО, класс / должность)",
    "Форма наставничества",
    "Срок",
]
# The appendix, row by row, cell by cell; a cell's lines are its paragraphs.
ROWS = [
    [
        "1",
        "Мамедов Эльчин Рауф оглы, учитель физики",
        "Шевчук Анна Викторовна, учитель математики",
        "учитель – учитель",
        "с 12.10.2026 по 31.05.2027",
    ],
    [
        "2",
        "Черных Светлана Юрьевна, ученица 10 «А» класса",
        "Петров Иван Андреевич, 7 «Б» класс\n"
        "Лёвина Алёна Игоревна, 7 «Б» класс\n"
        "Гюго Виктор Леопольдович, 7 «В» класс",
        "ученик – ученик",
        "с 12.10.2026 по 25.05.2027",
    ],
]
# Every paragraph of the order with text, in order.
DOCUMENT = [
    ORGANISATION,
    "ПРИКАЗ",
    "05.10.2026\t№ 45",
    "г. Заречный",
    "О закреплении наставнических пар (групп)",
    PREAMBLE,
    "ПРИКАЗЫВАЮ:",
    *POINTS,
    "Директор\tС. П. Кузнецов",
    "С приказом ознакомлены:",
    "Иванова М. П." + BLANKS,
    "Мамедов Э. Р." + BLANKS,
    "Черных С. Ю." + BLANKS,
    "Приложение",
    "к приказу от 05.10.2026 № 45",
    "Наставнические пары (группы)",
    "программы наставничества «Наставничество 2026/27»",
]


def written(facts: OrderFacts, folder: Path) -> docx.document.Document:
    path = render_docx(facts, folder / "приказ.docx")
    assert path == folder / "приказ.docx"
    return docx.Document(str(path))


def texts(document: docx.document.Document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def cells(document: docx.document.Document) -> list[list[str]]:
    (table,) = document.tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def parsed(facts: OrderFacts) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html(facts))


def select(element: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """The elements under ``element`` that a simple selector names: «tag», «.class», «tag.class»,
    «tag[attribute="value"]», or such selectors separated by spaces (descendants) or commas."""
    paths = []
    for alternative in selector.split(","):
        path = "."
        for step in alternative.split():
            match = re.fullmatch(r'([\w-]*)(?:\.([\w-]+))?(?:\[(\w+)="([^"]*)"\])?', step)
            assert match, step
            tag, cls, attribute, value = match.groups()
            conditions = []
            if cls:
                conditions.append(f'contains(concat(" ", normalize-space(@class), " "), " {cls} ")')
            if attribute:
                conditions.append(f'@{attribute}="{value}"')
            path += f"//{tag or '*'}" + "".join(f"[{c}]" for c in conditions)
        paths.append(path)
    return list(element.xpath(" | ".join(paths)))


def text_of(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


# --- .docx --------------------------------------------------------------------------------------


def test_the_docx_reads_as_an_order_with_names_declined(tmp_path: Path) -> None:
    document = written(FACTS, tmp_path)
    assert texts(document) == DOCUMENT
    # The appendix begins a page; the page is A4 with room for the binding on the left.
    (caption,) = [p for p in document.paragraphs if p.text == "Приложение"]
    assert caption.paragraph_format.page_break_before
    section = document.sections[0]
    assert [round(length.mm) for length in (section.page_width, section.page_height)] == [210, 297]
    assert round(section.left_margin.mm) == 30
    title = next(p for p in document.paragraphs if p.text.startswith("О закреплении"))
    assert all(run.bold for run in title.runs)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.core_properties.title == "Приказ «О закреплении наставнических пар (групп)»"


def test_the_docx_appendix_cell_by_cell(tmp_path: Path) -> None:
    document = written(FACTS, tmp_path)
    assert cells(document) == [COLUMNS, *ROWS]
    (table,) = document.tables
    # A group's mentees one under another, each a paragraph of its own, in the nominative.
    group = table.rows[2].cells[2]
    assert [p.text for p in group.paragraphs] == ROWS[1][2].split("\n")
    # The header row repeats on every page of a long appendix.
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1


def test_a_pair_alone_is_said_in_the_singular(tmp_path: Path) -> None:
    alone = replace(
        FACTS,
        pairs=(
            FixedPair(
                Participant("Толстой Лев Николаевич", "учитель литературы"),
                (Participant("Гоголь Любовь Васильевна", "учитель русского языка"),),
                "teacher_teacher",
                start=date(2026, 11, 2),
            ),
        ),
        program_forms=(),
        curator=Official("Ткаченко Никита Ильич", "педагог-психолог"),
        start=None,
        end=None,
    )
    document = written(alone, tmp_path)
    lines = texts(document)
    assert (
        "2. Назначить куратором программы наставничества «Наставничество 2026/27» Ткаченко Никиту "
        "Ильича, педагога-психолога." in lines
    )
    assert "3. Куратору программы наставничества Ткаченко Н. И.:" in lines
    assert (
        "3.1. ознакомить с настоящим приказом наставника Толстого Льва Николаевича и "
        "наставляемого (несовершеннолетнего — через его законных представителей);" in lines
    )
    assert any("(форма наставничества: «учитель – учитель»)" in line for line in lines)
    assert lines[lines.index("С приказом ознакомлены:") + 1 :][:2] == [
        "Ткаченко Н. И." + BLANKS,
        "Толстой Л. Н." + BLANKS,
    ]
    assert cells(document)[1] == [
        "1",
        "Толстой Лев Николаевич, учитель литературы",
        "Гоголь Любовь Васильевна, учитель русского языка",
        "учитель – учитель",
        "с 02.11.2026",
    ]


def test_blank_number_and_date_are_left_for_the_director(tmp_path: Path) -> None:
    blank = replace(FACTS, number="", signed_on=None, place="")
    lines = texts(written(blank, tmp_path))
    assert lines[2] == "«___» ____________ 20___ г.\t№ ____"
    assert "г. Заречный" not in lines
    assert "к приказу от «___» ____________ 20___ г. № ____" in lines
    page = parsed(blank)
    assert [text_of(p) for p in select(page, ".dated")] == ["«___» ____________ 20___ г. № ____"]
    assert not select(page, ".place")


def test_a_curator_position_that_cannot_be_declined_is_put_in_parentheses(tmp_path: Path) -> None:
    for position, said in [
        ("тьютор", "Иванову Марию Петровну (тьютор)"),
        ("ЗДУВР", "Иванову Марию Петровну, ЗДУВР"),
        ("", "Иванову Марию Петровну"),
    ]:
        facts = replace(FACTS, curator=Official("Иванова Мария Петровна", position))
        lines = texts(written(facts, tmp_path))
        assert f"2. Назначить куратором программы наставничества «{PROGRAM}» {said}." in lines


def test_the_file_is_whole_and_its_owners_only(tmp_path: Path) -> None:
    path = tmp_path / "приказ.docx"
    path.write_bytes(b"an older order")
    render_docx(FACTS, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["приказ.docx"]  # no temporary left
    assert texts(docx.Document(str(path))) == DOCUMENT


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (replace(FACTS, pairs=()), "нет ни одной наставнической пары"),
        (
            replace(FACTS, pairs=(replace(FACTS.pairs[0], mentees=()),)),
            "пара (группа) 1: нет ни одного наставляемого",
        ),
        (
            replace(FACTS, pairs=(FACTS.pairs[0], replace(FACTS.pairs[1], form="дружеское"))),
            "Неизвестная форма наставничества «дружеское»",
        ),
        (
            replace(FACTS, start=date(2027, 6, 1)),
            "программа: срок кончается (31.05.2027) раньше, чем начинается (01.06.2027)",
        ),
        (
            replace(FACTS, pairs=(replace(FACTS.pairs[0], start=date(2027, 6, 1)),)),
            "пара (группа) 1: срок кончается (31.05.2027) раньше, чем начинается (01.06.2027)",
        ),
        (
            replace(FACTS, curator=Official("Иванова\x00Мария", "учитель")),
            "Недопустимый управляющий символ U+0000 в значении «ФИО куратора»",
        ),
        (replace(FACTS, organisation="  "), "Пустое значение «организация»"),
    ],
)
def test_bad_facts_are_refused_in_russian_and_nothing_is_written(
    tmp_path: Path, facts: OrderFacts, message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        render_docx(facts, tmp_path / "приказ.docx")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InvalidInput):
        render_html(facts)


# --- HTML ---------------------------------------------------------------------------------------


def test_the_html_says_what_the_docx_says() -> None:
    page = parsed(FACTS)
    assert page.get("lang") == "ru"
    assert text_of(select(page, "title")[0]) == "Приказ «О закреплении наставнических пар (групп)»"
    assert select(page, 'meta[name="viewport"]')
    assert text_of(select(page, ".organisation")[0]) == ORGANISATION
    assert text_of(select(page, "h1")[0]) == "ПРИКАЗ"
    assert text_of(select(page, ".dated")[0]) == "05.10.2026 № 45"
    assert text_of(select(page, ".place")[0]) == "г. Заречный"
    assert text_of(select(page, "h2")[0]) == "О закреплении наставнических пар (групп)"
    assert text_of(select(page, ".preamble")[0]) == PREAMBLE
    assert text_of(select(page, ".command")[0]) == "ПРИКАЗЫВАЮ:"
    assert [text_of(p) for p in select(page, ".point")] == POINTS
    assert text_of(select(page, ".signature")[0]) == "Директор С. П. Кузнецов"
    assert [text_of(select(li, ".who")[0]) for li in select(page, ".acquainted li")] == [
        "Иванова М. П.",
        "Мамедов Э. Р.",
        "Черных С. Ю.",
    ]
    assert text_of(select(page, ".appendix .caption")[0]) == (
        "Приложение к приказу от 05.10.2026 № 45"
    )
    assert [text_of(th) for th in select(page, "thead th")] == COLUMNS
    rows = select(page, "tbody tr")
    assert [[text_of(td) for td in select(row, "td")] for row in rows] == [
        [" ".join(cell.split()) for cell in row] for row in ROWS
    ]
    group = select(rows[1], "td")[2]
    assert [text_of(li) for li in select(group, "li")] == ROWS[1][2].split("\n")
    # A phone reads each row as a card of labelled lines.
    assert [td.get("data-label") for td in select(rows[0], "td")] == COLUMNS


def test_the_html_prints_on_a4_with_the_appendix_on_a_page_of_its_own() -> None:
    style = " ".join(select(parsed(FACTS), "style")[0].text_content().split())
    assert "@page { size: A4;" in style
    assert "break-before: page" in style
    assert "@media screen and (max-width: 40rem)" in style


def test_names_and_titles_are_escaped_in_the_html(tmp_path: Path) -> None:
    hostile = "Ким <b>Ли</b> & «Ко» <script>alert(1)</script>"
    facts = replace(
        FACTS,
        organisation="Школа «<i>Тест</i>» & партнёры",
        program_title="</title><script>alert(2)</script>",
        pairs=(
            FixedPair(
                Participant(hostile, 'учитель "физики" & <астрономии>'),
                (Participant("Шевчук Анна Викторовна", "<7Б>"),),
                "teacher_teacher",
            ),
        ),
    )
    html = render_html(facts)
    page = lxml.html.fromstring(html)
    assert not select(page, "script, b, i")  # nothing became markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ким &lt;b&gt;Ли&lt;/b&gt; &amp; «Ко»" in html
    assert "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert text_of(select(page, ".organisation")[0]) == "Школа «<i>Тест</i>» & партнёры"
    row = [text_of(td) for td in select(page, "tbody tr td")]
    assert row[1] == f'{hostile}, учитель "физики" & <астрономии>'
    assert row[2] == "Шевчук Анна Викторовна, <7Б>"
    # Such a name is not declined (it is not one), and is written as given in the .docx too.
    assert any(hostile in line for line in texts(written(facts, tmp_path)))


# --- Packaging ----------------------------------------------------------------------------------


def test_the_template_ships_in_the_package() -> None:
    """The HTML template is package data: an installed Nastavnik renders orders too."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["documents"]
    folder = ROOT / "documents"
    shipped = {path.name for pattern in patterns for path in folder.glob(pattern)}
    assert "order.html" in shipped
    declared = {
        re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0]
        for line in pyproject["project"]["dependencies"]
    }
    assert {"python-docx", "pymorphy3", "pymorphy3-dicts-ru"} <= declared


@pytest.mark.parametrize(
    ("minors", "clause"),
    [
        ((False, False, False, False), "и наставляемых;"),
        ((False, True, False, False), "и наставляемых (несовершеннолетних — через их законных "
                                      "представителей);"),
        ((False, None, False, False), "и наставляемых (несовершеннолетних — через их законных "
                                      "представителей);"),
    ],
)  # fmt: skip
def test_minors_are_acquainted_through_representatives_only_where_there_may_be_minors(
    minors: tuple[bool | None, ...], clause: str
) -> None:
    """Adults are acquainted themselves; a minor, or one of unknown age, through the
    representatives."""
    flags = iter(minors)
    facts = replace(
        FACTS,
        pairs=tuple(
            replace(pair, mentees=tuple(replace(m, minor=next(flags)) for m in pair.mentees))
            for pair in FACTS.pairs
        ),
    )
    [acquaint] = [p for p in compose(facts).points if p.number == "3.1."]
    assert acquaint.text == (
        "ознакомить с настоящим приказом наставников Мамедова Эльчина Рауф оглы, Черных "
        f"Светлану Юрьевну {clause}"
    )
