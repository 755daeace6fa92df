"""Organisations in a hierarchy: region -> municipality -> school, college, partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from domain import inputs
from domain.contacts import check_smtp_server
from domain.errors import InvalidInput, NotFound
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


@dataclass(frozen=True)
class OrgView:
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    timezone: str  # effective: its own or inherited
    timezone_inherited: bool


def org_kind(text: str) -> OrgKind:
    """A kind given by its code (``school``) or its Russian label (``школа``)."""
    folded = text.strip().lower()
    for kind, label in ORG_KIND_LABELS.items():
        if folded in (kind.value, label):
            return kind
    known = ", ".join(f"{kind.value} ({label})" for kind, label in ORG_KIND_LABELS.items())
    raise InvalidInput(f"Неизвестный тип организации «{text}». Известные: {known}")


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
    name = inputs.text(name, "«название организации» (--name)", inputs.NAME)
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
            "Укажите часовой пояс (--tz, например Europe/Moscow): у организации верхнего "
            "уровня его не от кого унаследовать"
        )
    if hours is not None and not 0 <= hours[0] < hours[1] <= 24:
        raise InvalidInput(
            f"Часы отправки {hours[0]}-{hours[1]} не подходят: нужно «с-до» в пределах 0-24, "
            "например 9-18"
        )
    org = Organisation(
        name=name.strip(),
        kind=org_kind_,
        parent_id=parent_id,
        timezone=timezone or None,
        send_from_hour=hours[0] if hours else None,
        send_until_hour=hours[1] if hours else None,
        smtp_url=check_smtp_server(smtp_url) if smtp_url else None,
        created_at=now,
    )
    db.add(org)
    db.flush()
    return _view(db, org)


def list_organisations(db: Session) -> list[OrgView]:
    orgs = db.exec(select(Organisation).order_by(Organisation.id)).all()  # type: ignore[arg-type]
    return [_view(db, org) for org in orgs]


def _view(db: Session, org: Organisation) -> OrgView:
    assert org.id is not None
    kind = OrgKind(org.kind)
    return OrgView(
        id=org.id,
        name=org.name,
        kind=kind.value,
        kind_label=ORG_KIND_LABELS[kind],
        parent_id=org.parent_id,
        timezone=effective_timezone(db, org),
        timezone_inherited=not org.timezone,
    )
