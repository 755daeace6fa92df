"""Who is matched: mentors and mentees as plain values, read from their questionnaires.

A candidate is a person, or for the form «образовательная организация – образовательная
организация» an organisation: its ``id`` is then the organisation's, and ``kind`` says so (a
person and an organisation may share a number; they are never the same candidate). Nothing here
reads the database: the caller gathers the answers (domain.surveys.answers_of), the consent
(domain.consents.allowed), the form each participant takes part in and, where a psychologist
assessed it, a psychological type, and builds the candidates with ``from_answers`` or directly.

Answers are the normalised values the questionnaires store (domain/questionnaires.py): a choice
is an option's code, several choices a list of codes, a number an ``int``, a ranking a list of
ids, first preferred first. The question codes read are the constants below, the codes of the
built-in mentor and mentee surveys and the stage-18 preference questionnaires
(domain/questionnaire_catalogue.py); a code the catalogue does not know (an option of an older
copy) is kept, compared with the same code on the other side, and shown as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum
from typing import Any, TypeGuard

from domain.errors import InvalidInput
from domain.forms import FORMS, form_code
from domain.questionnaire_catalogue import MENTEE_AGES

# The question codes matching reads (tests compare them with the catalogue).
AGE = "age"
INTERESTS = "interests"
TIMES = "convenient_time"
STATUS = "status"
TEACHING_EXPERIENCE = "teaching_experience"
REQUEST_TOPICS = "request_topics"
WISHED_COMPETENCIES = "mentor_competencies"  # the mentee's: what they look for in a mentor
COMPETENCIES = "competencies"  # the mentor's own
MENTEE_AGES_WANTED = "mentee_ages"
CAPACITY = "capacity"
PREFERRED_MENTORS = "preferred_mentors"  # stage 18, the mentee's ranking
PREFERRED_MENTEES = "preferred_mentees"  # stage 18, the mentor's ranking

SCHOOL_TO_SCHOOL = "school_school"

# The mentee's age group (MENTEE_AGES: the mentor's answer to «С кем вы готовы работать»).
AGE_GROUPS = tuple(option.code for option in MENTEE_AGES)
YOUNG_SPECIALIST_YEARS = 3  # «Молодые педагоги (стаж до 3 лет)»


class Kind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Side(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


SIDE_LABELS = {Side.MENTOR: "наставник", Side.MENTEE: "наставляемый"}


@dataclass(frozen=True)
class Candidate:
    """What both sides have. ``consent``: the caller's verdict that the candidate may be
    matched, a valid consent to processing their data on the matching day (an organisation:
    True, 152-ФЗ protects people). ``form``: the code or Russian name of the form of mentoring
    the candidate takes part in; None when the program runs one form (that one) or for an
    organisation (school to school). ``ranking``: the stage-18 preferences, ids of the other
    side, first preferred first."""

    id: int
    _: KW_ONLY
    consent: bool
    kind: Kind = Kind.PERSON
    form: str | None = None
    age: int | None = None
    interests: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    ranking: tuple[int, ...] = ()
    psych_type: str | None = None

    def __post_init__(self) -> None:
        if not _is_int(self.id):
            raise InvalidInput(f"Номер участника подбора — целое число, а не {self.id!r}")
        if not isinstance(self.consent, bool):
            raise InvalidInput(f"Участник №{self.id}: признак согласия — да или нет")
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.form is not None:
            object.__setattr__(self, "form", form_code(self.form))
        if self.age is not None and not _is_int(self.age):
            raise InvalidInput(f"Участник №{self.id}: возраст — целое число, а не {self.age!r}")
        for name in ("interests", "times"):
            object.__setattr__(self, name, _codes(getattr(self, name)))
        ranking = tuple(self.ranking)
        if not all(_is_int(other) for other in ranking) or len(set(ranking)) != len(ranking):
            raise InvalidInput(
                f"Участник №{self.id}: анкета предпочтений — разные номера участников, "
                f"а не {list(ranking)}"
            )
        object.__setattr__(self, "ranking", ranking)
        if self.psych_type is not None:
            psych = str(self.psych_type).strip()
            object.__setattr__(self, "psych_type", psych or None)

    @property
    def key(self) -> tuple[Kind, int]:
        """Who the candidate is: a person and an organisation with one number are two."""
        return (self.kind, self.id)

    @property
    def name(self) -> str:
        """How a message names it: «№12», «организация №3»."""
        return f"организация №{self.id}" if self.kind == Kind.ORGANISATION else f"№{self.id}"


@dataclass(frozen=True)
class Mentor(Candidate):
    """A mentor: what they can give (``competencies``), whom they would take (``mentee_ages``,
    codes of MENTEE_AGES) and how many at once (``capacity``: 1 a pair, more a group)."""

    competencies: frozenset[str] = frozenset()
    mentee_ages: frozenset[str] = frozenset()
    capacity: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "competencies", _codes(self.competencies))
        object.__setattr__(self, "mentee_ages", _codes(self.mentee_ages))
        if not _is_int(self.capacity) or self.capacity < 1:
            raise InvalidInput(
                f"Наставник {self.name}: число наставляемых — целое от 1, а не {self.capacity!r}"
            )

    @classmethod
    def from_answers(
        cls,
        id: int,
        survey: Mapping[str, object],
        preferences: Mapping[str, object] | None = None,
        *,
        consent: bool,
        kind: Kind = Kind.PERSON,
        form: str | None = None,
        psych_type: str | None = None,
    ) -> Mentor:
        """A mentor from their answers to the mentor survey (stage 10) and, if they gave
        them, the stage-18 preferences."""
        return cls(
            id,
            **_shared(survey, preferences, PREFERRED_MENTEES, consent, kind, form, psych_type),
            competencies=_listed(survey.get(COMPETENCIES)),
            mentee_ages=_listed(survey.get(MENTEE_AGES_WANTED)),
            capacity=_whole(survey.get(CAPACITY)) or 1,
        )


@dataclass(frozen=True)
class Mentee(Candidate):
    """A mentee: their request (``request_topics``, codes of REQUESTS), the competencies they
    look for in a mentor (``wished_competencies``), and their age group (codes of MENTEE_AGES),
    which is worked out from ``status``, ``age`` and ``teaching_experience`` when not given."""

    request_topics: frozenset[str] = frozenset()
    wished_competencies: frozenset[str] = frozenset()
    status: str | None = None  # "student" (обучающийся) or "teacher", as the survey asks
    teaching_experience: int | None = None
    age_groups: frozenset[str] | None = field(default=None)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "request_topics", _codes(self.request_topics))
        object.__setattr__(self, "wished_competencies", _codes(self.wished_competencies))
        if self.age_groups is None:
            groups = age_groups_of(self.status, self.age, self.teaching_experience)
        else:
            groups = _codes(self.age_groups)
        object.__setattr__(self, "age_groups", groups)

    @property
    def groups(self) -> frozenset[str]:
        return self.age_groups or frozenset()

    @classmethod
    def from_answers(
        cls,
        id: int,
        survey: Mapping[str, object],
        preferences: Mapping[str, object] | None = None,
        *,
        consent: bool,
        kind: Kind = Kind.PERSON,
        form: str | None = None,
        psych_type: str | None = None,
    ) -> Mentee:
        """A mentee from their answers to the mentee survey (stage 5) and, if they gave them,
        the stage-18 preferences."""
        status = survey.get(STATUS)
        return cls(
            id,
            **_shared(survey, preferences, PREFERRED_MENTORS, consent, kind, form, psych_type),
            request_topics=_listed(survey.get(REQUEST_TOPICS)),
            wished_competencies=_listed(survey.get(WISHED_COMPETENCIES)),
            status=status if isinstance(status, str) else None,
            teaching_experience=_whole(survey.get(TEACHING_EXPERIENCE)),
        )


def _shared(
    survey: Mapping[str, object],
    preferences: Mapping[str, object] | None,
    ranking: str,
    consent: bool,
    kind: Kind,
    form: str | None,
    psych_type: str | None,
) -> dict[str, Any]:
    """What both sides' ``from_answers`` read alike; ``ranking``: the code of their stage-18
    ranking question."""
    return {
        "consent": consent,
        "kind": kind,
        "form": form,
        "age": _whole(survey.get(AGE)),
        "interests": _listed(survey.get(INTERESTS)),
        "times": _listed(survey.get(TIMES)),
        "ranking": _ranking((preferences or {}).get(ranking)),
        "psych_type": psych_type,
    }


def age_groups_of(
    status: str | None, age: int | None, teaching_experience: int | None
) -> frozenset[str]:
    """The MENTEE_AGES groups a mentee belongs to, from what the mentee survey asks.

    A pupil by age (a class is about age minus 6 or 7): up to 10 «1–4 классы», 11 to 15
    «5–9 классы», 16 and 17 «10–11 классы», 18 either the 11th class or a student, from 19 a
    student. A teacher by teaching experience: up to 3 years a young teacher, more an
    experienced one, unknown either. Nothing known: no group (the age criterion gives no
    points and says why). A caller who knows the class passes ``age_groups`` instead."""
    if status == "teacher":
        if teaching_experience is None:
            return frozenset({"young_teachers", "teachers"})
        return frozenset(
            {"young_teachers" if teaching_experience <= YOUNG_SPECIALIST_YEARS else "teachers"}
        )
    if age is None:
        return frozenset()
    if age <= 10:
        return frozenset({"primary"})
    if age <= 15:
        return frozenset({"middle"})
    if age <= 17:
        return frozenset({"senior"})
    if age == 18:
        return frozenset({"senior", "students"})
    return frozenset({"students"})


def check_candidates(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> None:
    """Refuse lists the matching cannot take: a wrong type, or one number twice on a side (pins
    and forbidden pairs name candidates by number, so a person and an organisation of one
    program side must not share one)."""
    for side, people, expected in (
        (Side.MENTOR, mentors, Mentor),
        (Side.MENTEE, mentees, Mentee),
    ):
        seen: set[int] = set()
        for candidate in people:
            if not isinstance(candidate, expected):
                raise InvalidInput(
                    f"Среди кандидатов в роли «{SIDE_LABELS[side]}» — не {expected.__name__}: "
                    f"{candidate!r}"
                )
            if candidate.id in seen:
                raise InvalidInput(
                    f"Номер {candidate.id} указан в роли «{SIDE_LABELS[side]}» дважды"
                )
            seen.add(candidate.id)


def form_label(code: str) -> str:
    return f"«{FORMS.get(code, code)}»"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _codes(values: Iterable[str] | None) -> frozenset[str]:
    if values is None:
        return frozenset()
    if isinstance(values, str):
        return frozenset({values.strip()}) if values.strip() else frozenset()
    return frozenset(str(value).strip() for value in values if str(value).strip())


def _listed(value: object) -> frozenset[str]:
    """A stored choice or choices as a set of codes; anything else is no answer."""
    if isinstance(value, str):
        return _codes(value)
    if isinstance(value, list | tuple | set | frozenset):
        return _codes(item for item in value if isinstance(item, str))
    return frozenset()


def _whole(value: object) -> int | None:
    if _is_int(value):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    return None


def _ranking(value: object) -> tuple[int, ...]:
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(int(item) for item in value if _is_int(item)))
    return ()
