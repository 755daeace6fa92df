"""Organisations in a hierarchy: region -> municipality -> school, college, partner.

An organisation's time zone, sending hours and SMTP server are its own or, when it sets none,
its nearest ancestor's (sending hours then default to 9-18): ``resolve_organisations`` is that
rule, for the views here and for the outbox. An SMTP server's password is stored encrypted
(domain/contacts.py, domain/secrets.py) and shown as ``***``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from domain import inputs, secrets, settings
from domain.contacts import check_smtp_server, seal, with_passwords
from domain.errors import InvalidInput, NotFound, SecretKeyUnavailable
from domain.models import ORG_KIND_LABELS, TERRITORIES, Organisation, OrgKind
from domain.schedule import zone

# Which kinds an organisation of each kind may sit under (None: at the top).
ALLOWED_PARENTS: dict[OrgKind, frozenset[OrgKind | None]] = {
    OrgKind.REGION: frozenset({None}),
    OrgKind.MUNICIPALITY: frozenset({None, OrgKind.REGION}),
    **{
        kind: frozenset({None, OrgKind.REGION, OrgKind.MUNICIPALITY})
        for kind in OrgKind
        if kind not in TERRITORIES
    },
}

_NO_ONE_TO_INHERIT_FROM = "у организации верхнего уровня его не от кого унаследовать"


class Source(StrEnum):
    """Whose setting an organisation has."""

    OWN = "own"
    INHERITED = "inherited"  # from its nearest ancestor that sets it
    DEFAULT = "default"  # nobody up to the top sets it


@dataclass(frozen=True)
class Resolved:
    """An organisation's settings with inheritance from its ancestors resolved."""

    id: int
    name: str
    timezone: str  # its own or its nearest ancestor's (the services never allow none)
    timezone_source: Source
    hours: tuple[int, int]
    hours_source: Source
    smtp_url: str | None  # the password masked
    smtp_password_encrypted: str | None
    smtp_source: Source
    ancestors: tuple[int, ...]  # itself first, then up to the top


@dataclass(frozen=True)
class OrgView:
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    timezone: str  # effective: its own or inherited
    timezone_inherited: bool
    hours: tuple[int, int]  # local sending hours [from, until): own, inherited or the default
    hours_source: str  # own, inherited, default
    smtp_url: str | None  # own or inherited, with *** in place of the password; None: none
    smtp_inherited: bool
    smtp_problem: str | None  # why the server's password cannot be read (Russian), or None


def org_kind(text: str) -> OrgKind:
    """A kind given by its code (``school``) or its Russian label (``школа``)."""
    return inputs.labelled(text, ORG_KIND_LABELS, "Неизвестный тип организации")


def get_organisation(db: Session, org_id: int) -> Organisation:
    org = db.get(Organisation, inputs.identifier(org_id, "организации"))
    if org is None:
        raise NotFound(f"Организация с номером {org_id} не найдена (список: nastavnik org list)")
    return org


def effective_timezone(db: Session, org: Organisation) -> str:
    """The organisation's own IANA zone, or the nearest ancestor's."""
    current: Organisation | None = org
    while current is not None:
        if current.timezone:
            return current.timezone
        current = db.get(Organisation, current.parent_id) if current.parent_id else None
    raise InvalidInput(f"У организации «{org.name}» и её вышестоящих не задан часовой пояс")


def _zone_of(org: Organisation, parent: Resolved | None) -> str:
    zone_name = org.timezone or (parent.timezone if parent else None)
    if zone_name is None:  # the services refuse it; a hand-edited database could have it
        raise InvalidInput(f"У организации «{org.name}» и её вышестоящих не задан часовой пояс")
    return zone_name


def resolve_organisations(db: Session) -> dict[int, Resolved]:
    """Every organisation's settings, its own or inherited, read in one query."""
    orgs = {org.id: org for org in db.exec(select(Organisation)).all() if org.id is not None}
    resolved: dict[int, Resolved] = {}

    first, until = settings.current().sending_hours  # current() checked there are two
    default_hours = (first, until)

    def resolve(org_id: int) -> Resolved:
        if org_id in resolved:
            return resolved[org_id]
        org = orgs[org_id]
        parent = resolve(org.parent_id) if org.parent_id else None

        def source(own: bool, of_parent: Source | None) -> Source:
            if own:
                return Source.OWN
            return (
                Source.INHERITED if of_parent in (Source.OWN, Source.INHERITED) else Source.DEFAULT
            )

        hours = default_hours
        if org.send_from_hour is not None and org.send_until_hour is not None:
            hours = (org.send_from_hour, org.send_until_hour)
        elif parent:
            hours = parent.hours
        smtp: tuple[str | None, str | None] = (None, None)
        if org.smtp_url:
            smtp = (org.smtp_url, org.smtp_password_encrypted)
        elif parent:
            smtp = (parent.smtp_url, parent.smtp_password_encrypted)
        resolved[org_id] = Resolved(
            id=org_id,
            name=org.name,
            timezone=_zone_of(org, parent),
            timezone_source=source(bool(org.timezone), parent.timezone_source if parent else None),
            hours=hours,
            hours_source=source(
                org.send_from_hour is not None, parent.hours_source if parent else None
            ),
            smtp_url=smtp[0],
            smtp_password_encrypted=smtp[1],
            smtp_source=source(bool(org.smtp_url), parent.smtp_source if parent else None),
            ancestors=(org_id, *(parent.ancestors if parent else ())),
        )
        return resolved[org_id]

    for org_id in orgs:
        resolve(org_id)
    return resolved


# --- the checks of what may be set, shared by adding and editing -----------------------------


def _checked_name(name: str) -> str:
    return inputs.text(name, "«название организации» (--name)", inputs.NAME)


def _checked_hours(hours: tuple[int, int]) -> tuple[int, int]:
    if not 0 <= hours[0] < hours[1] <= 24:
        raise InvalidInput(
            f"Часы отправки {hours[0]}-{hours[1]} не подходят: нужно «с-до» в пределах 0-24, "
            "например 9-18"
        )
    return hours


def _checked_smtp(db: Session, url: str, replacing: int | None) -> tuple[str, str | None]:
    """The server's URL to store (its password masked) and its password encrypted."""
    masked, passwords = check_smtp_server(url)
    return masked, _sealed(db, passwords, replacing) if passwords else None


def _sealed(db: Session, passwords: list[str], replacing: int | None) -> str:
    """Encrypt a new password, refusing when the key cannot read the passwords stored already
    (other than the one it replaces): with a missing key a new one would be made, and with
    another key the database would hold passwords under two keys, one of them lost."""
    stored = select(Organisation).where(col(Organisation.smtp_password_encrypted).is_not(None))
    if replacing is not None:
        stored = stored.where(col(Organisation.id) != replacing)
    for org in db.exec(stored.order_by(col(Organisation.id))).all():
        assert org.smtp_password_encrypted is not None
        try:
            secrets.decrypt(org.smtp_password_encrypted)
        except SecretKeyUnavailable as error:
            if error.cause not in (secrets.MISSING, secrets.DIFFERENT):
                raise SecretKeyUnavailable(
                    f"Пароль почтового сервера не сохранён: {error}", error.cause
                ) from None
            raise SecretKeyUnavailable(
                "Пароль почтового сервера не сохранён: сохранённый раньше пароль сервера "
                f"организации №{org.id} «{org.name}» не прочитать — {error}. Новый пароль "
                "был бы зашифрован другим ключом; если прежний ключ утерян, уберите серверы с "
                "такими паролями (nastavnik org edit ОРГАНИЗАЦИЯ --no-smtp) и задайте их заново",
                error.cause,
            ) from None
    try:
        return seal(passwords)
    except SecretKeyUnavailable as error:
        raise SecretKeyUnavailable(
            f"Пароль почтового сервера не сохранён: {error}", error.cause
        ) from None


def ensure_secret_key(db: Session) -> tuple[str, bool]:
    """For ``nastavnik init``: the key checked against every stored password, or made when
    there is none and no password is stored. Returns where the key is, and whether it was made
    now."""
    stored = db.exec(
        select(Organisation)
        .where(col(Organisation.smtp_password_encrypted).is_not(None))
        .order_by(col(Organisation.id))
    ).all()
    for org in stored:
        assert org.smtp_password_encrypted is not None
        try:
            secrets.decrypt(org.smtp_password_encrypted)
        except SecretKeyUnavailable as error:
            raise SecretKeyUnavailable(
                f"Пароль почтового сервера организации №{org.id} «{org.name}» не прочитать: "
                f"{error}. Сообщения через этот сервер не уйдут",
                error.cause,
            ) from None
    existed = secrets.key_exists()
    return secrets.ensure_key(), not existed


# --- adding, editing, listing -----------------------------------------------------------------


def add_organisation(
    db: Session,
    *,
    name: str,
    kind: str,
    now: datetime,
    parent_id: int | None = None,
    timezone: str | None = None,
    hours: tuple[int, int] | None = None,
    smtp_url: str | None = None,
) -> OrgView:
    name = _checked_name(name)
    org_kind_ = org_kind(kind)
    parent = get_organisation(db, parent_id) if parent_id is not None else None
    parent_kind = OrgKind(parent.kind) if parent else None
    if parent_kind not in ALLOWED_PARENTS[org_kind_]:
        where = f"«{ORG_KIND_LABELS[parent_kind]}»" if parent_kind else "верхний уровень"
        raise InvalidInput(
            f"Организация типа «{ORG_KIND_LABELS[org_kind_]}» не может входить в {where}: "
            "регион -> муниципалитет -> образовательная или партнёрская организация"
        )
    if timezone:
        zone(timezone)
    elif parent is None:
        raise InvalidInput(
            f"Укажите часовой пояс (--tz, например Europe/Moscow): {_NO_ONE_TO_INHERIT_FROM}"
        )
    if hours is not None:
        _checked_hours(hours)
    smtp, sealed = _checked_smtp(db, smtp_url, None) if smtp_url else (None, None)
    org = Organisation(
        name=name,
        kind=org_kind_,
        parent_id=parent_id,
        timezone=timezone or None,
        send_from_hour=hours[0] if hours else None,
        send_until_hour=hours[1] if hours else None,
        smtp_url=smtp,
        smtp_password_encrypted=sealed,
        created_at=now,
    )
    db.add(org)
    db.flush()
    return _view(db, org)


def edit_organisation(
    db: Session,
    org_id: int,
    *,
    name: str | None = None,
    timezone: str | None = None,
    hours: tuple[int, int] | None = None,
    smtp_url: str | None = None,
    clear_timezone: bool = False,
    clear_hours: bool = False,
    clear_smtp: bool = False,
) -> OrgView:
    """Change an organisation's name, time zone, sending hours or SMTP server, with the checks
    of ``add_organisation``; a cleared setting is inherited again. Nothing changes unless
    everything given passes."""
    org = get_organisation(db, org_id)
    pairs = (
        (timezone, clear_timezone, "--tz", "--no-tz"),
        (hours, clear_hours, "--hours", "--no-hours"),
        (smtp_url, clear_smtp, "--smtp", "--no-smtp"),
    )
    if name is None and not any(value is not None or clear for value, clear, _, _ in pairs):
        raise InvalidInput(
            f"Не сказано, что изменить у организации №{org.id} «{org.name}»: укажите --name, "
            "--tz, --hours или --smtp (или --no-tz, --no-hours, --no-smtp, чтобы наследовать "
            "от вышестоящей)"
        )
    for value, clear, given, cleared in pairs:
        if value is not None and clear:
            raise InvalidInput(
                f"{given} и {cleared} противоречат друг другу: укажите что-то одно "
                f"(организация №{org.id} «{org.name}»)"
            )
    new_name = _checked_name(name) if name is not None else org.name
    if timezone is not None:
        zone(timezone)
    if clear_timezone and org.parent_id is None:
        raise InvalidInput(
            f"Часовой пояс организации №{org.id} «{org.name}» не убрать (--no-tz): "
            f"{_NO_ONE_TO_INHERIT_FROM}"
        )
    if hours is not None:
        _checked_hours(hours)
    # Last: it may make the secret key, once everything else has passed.
    smtp = _checked_smtp(db, smtp_url, org.id) if smtp_url is not None else None

    org.name = new_name
    if timezone is not None or clear_timezone:
        org.timezone = timezone
    if hours is not None or clear_hours:
        org.send_from_hour, org.send_until_hour = hours or (None, None)
    if smtp is not None or clear_smtp:
        org.smtp_url, org.smtp_password_encrypted = smtp or (None, None)
    db.add(org)
    db.flush()
    return _view(db, org)


def list_organisations(db: Session) -> list[OrgView]:
    orgs = db.exec(select(Organisation).order_by(col(Organisation.id))).all()
    return _views(db, orgs)


def _view(db: Session, org: Organisation) -> OrgView:
    return _views(db, [org])[0]


def _views(db: Session, orgs: Sequence[Organisation]) -> list[OrgView]:
    resolved = resolve_organisations(db)
    problems: dict[str, str | None] = {}  # by encrypted password: each decrypted once
    views = []
    for org in orgs:
        assert org.id is not None
        facts = resolved[org.id]
        if facts.timezone is None:
            raise InvalidInput(f"У организации «{org.name}» и её вышестоящих не задан часовой пояс")
        kind = OrgKind(org.kind)
        sealed = facts.smtp_password_encrypted
        if facts.smtp_url and sealed and sealed not in problems:
            problems[sealed] = _password_problem(facts.smtp_url, sealed)
        views.append(
            OrgView(
                id=org.id,
                name=org.name,
                kind=kind.value,
                kind_label=ORG_KIND_LABELS[kind],
                parent_id=org.parent_id,
                timezone=facts.timezone,
                timezone_inherited=facts.timezone_source != Source.OWN,
                hours=facts.hours,
                hours_source=facts.hours_source.value,
                smtp_url=facts.smtp_url,
                smtp_inherited=facts.smtp_source == Source.INHERITED,
                smtp_problem=problems.get(sealed) if sealed else None,
            )
        )
    return views


def _password_problem(url: str, sealed: str) -> str | None:
    """Why the server's password cannot be read, in Russian; None if it can."""
    try:
        with_passwords(url, sealed)
    except SecretKeyUnavailable as error:
        return f"пароль не прочитать: {error}"
    except ValueError:
        return "пароль не прочитать: сохранённый адрес сервера не сходится с паролями"
    return None
