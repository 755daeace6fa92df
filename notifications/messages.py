"""What a message says: Russian texts rendered from Jinja2 templates (notifications/templates).

One template per message kind (invitation.j2, reminder.j2, overdue.j2, escalation.j2) lays the
message out; it imports kinds/<stage kind>.j2, whose ``todo(role)`` macro says what the recipient
is to do at that kind of stage. Texts are plain (e-mail and messengers), not HTML, and are stored
in the outbox as rendered.

What is added at send time, never stored: the recipient's personal link under the text
(``with_link``, _personal_link.j2, every channel), and for e-mail an HTML twin of the text
(``email_html``, email.html.j2: the only autoescaped template) and the sender's display name
(``sender_name``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2

from domain.notices import NoticeKind
from domain.roadmap import Role, StageKind
from domain.wording import plural

SUBJECT_WIDTH = 100  # characters; a longer stage name is shortened in the subject line


# The kinds of message are the kinds of notice the domain's rules call for.
MessageKind = NoticeKind


@dataclass(frozen=True)
class MessageContext:
    kind: MessageKind
    recipient_name: str
    role: Role  # the recipient's role: in the program, or COORDINATOR
    program_title: str
    org_name: str  # the organisation that runs the program
    stage_number: int
    stage_name: str  # the roadmap's own wording
    stage_kind: StageKind
    due_date: date
    days_left: int | None = None  # reminders: whole days until the due date
    days_overdue: int | None = None  # overdue notices and escalations
    occurrence: int | None = None  # a date of a recurring stage (meetings, feedback)
    curator_name: str | None = None
    about_name: str | None = None  # consent requests to a representative: the minor's name
    questionnaire_title: str | None = None  # a questionnaire's invitation
    link_token: str | None = None  # the recipient's personal link to it (domain/survey_links.py)
    partners: tuple[str, ...] | None = None  # a fixed pair: the recipient's mentees or mentor
    # Messages carry the recipient's personal link, added when sent (NASTAVNIK_PUBLIC_URL).
    personal_page: bool = False


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


# Stands for the recipient's name while a text is rendered once for everyone it goes to: a
# character from Unicode's private use area, which no name contains.
_NAME_SLOT = "\ue000"


def render(context: MessageContext) -> RenderedMessage:
    """The subject and body of one message, in Russian.

    A field that is None is absent for the templates: an optional one (``occurrence``,
    ``curator_name``) is left out of the text; one the kind of message needs (``days_left`` for
    a reminder, ``days_overdue`` for an overdue notice or an escalation) raises
    ``jinja2.UndefinedError`` naming it.

    The thirty people of a program who hear of the same deadline in the same role get the
    same text but for their name: it is rendered once and the name put in.
    """
    shared = _render_for_anyone(replace(context, recipient_name=_NAME_SLOT))
    return RenderedMessage(
        subject=shared.subject.replace(_NAME_SLOT, context.recipient_name),
        body=shared.body.replace(_NAME_SLOT, context.recipient_name),
    )


@lru_cache(maxsize=4096)
def _render_for_anyone(context: MessageContext) -> RenderedMessage:
    values = {
        field.name: getattr(context, field.name)
        for field in fields(context)
        if getattr(context, field.name) is not None
    }
    message = _ENVIRONMENT.get_template(f"{context.kind.value}.j2").make_module(values)
    # The template sets its subject with {% set subject = ... %}; the rest of it is the body.
    return RenderedMessage(subject=str(vars(message)["subject"]), body=str(message))


def with_link(body: str, link: str | None) -> str:
    """A message's text as it goes out: the stored body, with the recipient's personal link
    under it when there is one (the body unchanged otherwise)."""
    if link is None:
        return body
    return _ENVIRONMENT.get_template("_personal_link.j2").render(body=body.rstrip(), link=link)


def email_html(subject: str, body: str, link: str | None) -> str:
    """The HTML part of an e-mail: the body's paragraphs (blank-line separated) and lines,
    escaped, and the personal link as a button with the plain link under it."""
    paragraphs = [
        [line.strip() for line in paragraph.splitlines() if line.strip()]
        for paragraph in _PARAGRAPH_BREAK.split(body.strip())
    ]
    return _ENVIRONMENT.get_template("email.html.j2").render(
        subject=subject, paragraphs=[lines for lines in paragraphs if lines], link=link
    )


_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


def sender_name(org_name: str | None) -> str:
    """Who an e-mail is from, as its From shows it: «Наставник — Школа № 5»."""
    return f"Наставник — {org_name}" if org_name else "Наставник"


def days(count: int) -> str:
    """``count`` with the word день in its form: «1 день», «3 дня», «11 дней»."""
    return f"{count} {plural(count, 'день', 'дня', 'дней')}"


def ru_date(value: date) -> str:
    """A date as Russian documents write it: 08.09.2026."""
    return value.strftime("%d.%m.%Y")


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, with «…» at the end;
    a guillemet left open by the cut is closed."""
    if len(text) <= width:
        return text
    head = text[: max(width - 2, 0)]
    if " " in head and not text[len(head)].isspace():
        head = head.rsplit(" ", 1)[0]
    head = head.rstrip(" ,.;:/-–—") + "…"
    return head + "»" if head.count("«") > head.count("»") else head


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        # Beside this file, not looked up by package name: the test folder of the same name
        # (tests/notifications) must not be taken for it.
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        # Plain text for e-mail and messengers; only the HTML part of an e-mail is escaped.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(plural=plural, days=days, ru_date=ru_date, shorten=shorten)
    environment.globals["subject_width"] = SUBJECT_WIDTH
    return environment


_ENVIRONMENT = _environment()
