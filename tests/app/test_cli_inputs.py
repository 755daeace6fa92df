"""Properties of the whole command line rather than a list of cases: every parameter of every
command refuses what no one can mean (a number beyond what a column holds, a negative one, a
year 1 or 9999, an empty date, a NUL, a control character, a megabyte) with exit 2 and a
Russian sentence that names it, and nothing stored changes; every help page and every usage
error of click's own is Russian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import click
import pytest
from conftest import Cli, snapshot

from app.cli.groups import cli as root
from app.cli.types import Count, Day, DayCounts, Hours, Identifier, Moment, Text

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    command: click.Command

    @property
    def params(self) -> list[click.Parameter]:
        return [p for p in self.command.params if p.name not in ("help",)]

    def __str__(self) -> str:
        return " ".join(self.path)


def commands(group: click.Group = root, path: tuple[str, ...] = ()) -> Iterator[Command]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield Command((*path, name), command)


COMMANDS = list(commands())
PARAMS = [
    (command, param)
    for command in COMMANDS
    for param in command.params
    if not (isinstance(param, click.Option) and param.is_flag)
]

# A value each parameter takes, so that only the one under test is wrong.
GOOD_TEXT = {
    "kind": "school",
    "tz": "Europe/Moscow",
    "role": "mentor",
    "status": "queued",
    "expect": "planned",
    "forms": "учитель – учитель",
    "stage": "inform_teachers",
    "contacts": "json://127.0.0.1:9/x",
    "preferred": "json://127.0.0.1:9/x",
    "smtp": "mailto://127.0.0.1:2525?from=noreply@school.ru",
    "cron": "* * * * *",
}


def good(param: click.Parameter) -> str:
    kind = param.type
    if isinstance(kind, Identifier):
        return "1"
    if isinstance(kind, Count):
        return str(kind.lowest)
    if isinstance(kind, Day):
        return "2026-09-01"
    if isinstance(kind, Moment):
        return "2026-09-08T10:00"
    if isinstance(kind, Hours):
        return "9-18"
    if isinstance(kind, DayCounts):
        return "3,1"
    return GOOD_TEXT.get(param.name or "", "Тест")


MEGABYTE = "я" * 1_000_000
TEXT_BAD = ["a\x00b", "a\x07b", "\x1b[31mкрасный", MEGABYTE]


def bad_values(param: click.Parameter) -> list[str]:
    kind = param.type
    if isinstance(kind, Identifier | Count):
        return [str(2**63 + 1), "99999999999999999999", "-5", "²"]
    if isinstance(kind, Day):
        return ["0001-01-01", "9999-12-31", "01.01.0001", "", *TEXT_BAD]
    if isinstance(kind, Moment):
        return ["0001-01-01T00:00", "9999-12-31T23:59:59+14:00", "", *TEXT_BAD]
    if isinstance(kind, Hours):
        return ["²-³", "9-99999999999999999999", "", *TEXT_BAD]
    if isinstance(kind, DayCounts):
        return ["99999999999999999999", "3,,1", "", *TEXT_BAD]
    return ["", "   ", *TEXT_BAD]


def argv(command: Command, tested: click.Parameter, value: str) -> list[str]:
    """The command with every argument and required option given, ``tested`` set to
    ``value``."""
    words = list(command.path)
    for param in command.params:
        if isinstance(param, click.Argument):
            words.append(value if param is tested else good(param))
    options = []
    for param in command.params:
        if isinstance(param, click.Option) and (param is tested or param.required):
            name = max(param.opts, key=len)
            # "--org=-5": a value that starts with a dash is still this option's value.
            options.append(f"{name}={value if param is tested else good(param)}")
    return words + options


def named(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


CASES = [
    pytest.param(command, param, value, id=f"{command}:{param.name}:{index}")
    for command, param in PARAMS
    for index, value in enumerate(bad_values(param))
]


@pytest.fixture
def seeded(cli: Cli, database_url: str) -> str:
    """A municipality, a school, a program and a person: something to leave unchanged."""
    cli.json("org", "add", "--name", "Округ", "--kind", "municipality", "--tz", "Europe/Moscow")
    cli.json("org", "add", "--name", "Школа", "--kind", "school", "--parent", "1")
    cli.json("program", "create", "--org", "2", "--title", "Программа", "--start", "2026-09-01")
    cli.json("person", "add", "--org", "2", "--name", "Иванова", "--contact", "json://h/x")
    return database_url


def test_every_parameter_has_a_checked_type() -> None:
    """click's STRING and INT take a NUL, a megabyte, a number no column holds."""
    checked = (Identifier, Count, Text, Day, Moment, Hours, DayCounts)
    unchecked = [f"{c} {named(p)}" for c, p in PARAMS if not isinstance(p.type, checked)]
    assert not unchecked
    assert len(COMMANDS) >= 20 and len(PARAMS) >= 50


def test_bad_values_of_every_parameter_are_refused_naming_it_and_change_nothing(
    cli: Cli, seeded: str
) -> None:
    """One test walks every case (a test per case would cost a database each): exit 2, one
    Russian line that names the parameter, no traceback, every table as it was."""
    before = snapshot(seeded)
    failures = []
    for case in CASES:
        command, param, value = case.values
        code = cli(*argv(command, param, value))
        said = cli.err
        problems = [
            problem
            for problem, wrong in (
                (f"exit {code}", code != 2),
                ("not Russian", not CYRILLIC.search(said)),
                ("a traceback", "Traceback" in said),
                (f"does not name {named(param)}", named(param) not in said),
                ("too long", len(said) > 600),
            )
            if wrong
        ]
        if problems:
            failures.append(f"{case.id} {value[:20]!r}: {', '.join(problems)}: {said[:200]}")
    assert not failures, "\n".join(failures)
    assert snapshot(seeded) == before
    assert len(CASES) > 300


USAGE_ERRORS = [
    (["nope"], "нет команды «nope»"),
    (["program"], "Использование: nastavnik program"),
    (["org", "add"], "не указан обязательный параметр"),
    (["org", "add", "--name"], "должно быть значение"),
    (["program", "show"], "не указан обязательный аргумент"),
    (["program", "show", "1", "2"], "лишний аргумент: 2"),
    (["program", "show", "-1"], "«-1» — отрицательное число"),
    (["program", "show", "1", "--nope"], "нет параметра «--nope»"),
    (["org", "list", "--json=yes"], "не принимает значения"),
]
CLICK_ENGLISH = re.compile(
    r"Usage|Options|Commands|Arguments|Missing|No such|unexpected|requires an|Error|"
    r"\[required\]|default:|\bTEXT\b|\bINTEGER\b|\[OPTIONS\]|\bCOMMAND\b|Show this|Try '"
)


@pytest.mark.parametrize(
    ("args", "expected"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_clicks_own_complaints_are_russian(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    from app.cli import main

    assert main(args) == 2
    out, err = capsys.readouterr()
    said = out + err
    assert expected in said, said
    assert not CLICK_ENGLISH.search(said), said


@pytest.mark.parametrize("command", [(), *(c.path for c in COMMANDS)], ids=str)
def test_every_help_page_is_russian(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    from app.cli import main

    assert main([*command, "--help"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("Использование: nastavnik"), page
    assert not CLICK_ENGLISH.search(page), page
    # Metavariables too: "--org НОМЕР", "ПРОГРАММА", never "--org INTEGER" or "PROGRAM".
    usage = page.splitlines()[0]
    assert not re.search(r"[A-Z]{2,}", usage), usage
    assert not re.search(r"--[\w-]+ [A-Z]{2,}\b", page), page
