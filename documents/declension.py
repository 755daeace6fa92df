"""People's names and positions in the case a Russian sentence needs: «Назначить куратором
Иванову Марию Петровну, учителя математики», «Куратору Ивановой М. П.».

A name is read as the documents and registers write it, surname first: «Фамилия Имя Отчество»,
«Фамилия Имя», «Фамилия И. О.», or «И. О. Фамилия». The person's gender is taken from the
patronymic (…вич/…ич a man, …вна/…ична a woman; a Turkic «оглы»/«улы» a man, «кызы»/«гызы» a
woman), else from the given name as pymorphy3's dictionary knows it, else from the surname's
shape (…ова, …ская a woman; …ов, …ский a man). Each part is then declined by itself:

- the patronymic by rule (it always declines regularly); a Turkic patronymic, the father's name
  and its «оглы»/«кызы», is never declined: «Мамедова Эльчина Рауф оглы»;
- the given name by pymorphy3's dictionary of names (Павел → Павла, Лев → Льва, Любовь →
  Любовь/Любови, Мария → Марии), or, for a name it does not know, by the rules that hold
  without exception (a man's name ending in a consonant declines, a woman's does not);
- the surname: first the forms that never decline, whatever a dictionary says: …ых/…их
  (Черных), a final -о, -е, -и, -у, -ю, -ы, -э (Дурново, Ткаченко, Гюго), -а after a vowel
  (Гарсиа), and a woman's surname ending in a consonant (Шевчук, Мороз, Гоголь); then
  pymorphy3's dictionary of surnames (it knows Дюма does not decline and Кравец is Кравца); then
  the productive patterns (…ов/…ин and …ова/…ина, …ский/…ская, a man's surname ending in a
  consonant, -ь or -й, a surname ending in -а/-я). A surname the dictionary does not know keeps
  its vowels as written (Журавель → Журавеля): official documents do not alter a surname.
  Each part of a hyphenated surname (or given name) is declined by itself:
  Римская-Корсакова → Римскую-Корсакову.

Capital letters are kept as written (a name in capitals stays in capitals), and so is ё: a name
written with «е» does not gain an «ё» from the dictionary (Семенов → Семенова, Артем → Артема),
and one written with «ё» keeps it (Королёв → Королёва) unless the word itself changes it
(Пётр → Петра).

Where the parts cannot be told apart or a part cannot be declined with certainty (a man's
surname in a soft -ий such as Крайний, an unknown man's name in -а, a name in Latin letters,
an unknown order of words), the whole name is left as written, in the nominative: a document
with a name in the nominative is awkward, one with a wrong surname is wrong.
``inflect_name`` tells that case apart (None); ``decline_name`` then returns the name as given.
Known limits, accepted as the rarer error: a woman's surname in -ина is declined as a Russian
possessive one (Калина → Калиной, not Калине); a man's surname in -ин takes -ым in the
instrumental (Чаплиным) unless the dictionary knows better.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pymorphy3


class Case(StrEnum):
    """The cases, by pymorphy3's names of them."""

    NOMINATIVE = "nomn"  # кто? Иванова Мария Петровна
    GENITIVE = "gent"  # кого? Ивановой Марии Петровны
    DATIVE = "datv"  # кому? Ивановой Марии Петровне
    ACCUSATIVE = "accs"  # кого? Иванову Марию Петровну
    INSTRUMENTAL = "ablt"  # кем? Ивановой Марией Петровной
    PREPOSITIONAL = "loct"  # о ком? об Ивановой Марии Петровне


class Gender(StrEnum):
    MALE = "masc"
    FEMALE = "femn"


_VOWELS = "аеёиоуыэюя"
_HUSHING = "жшчщ"
_VELARS = "гкх"
# The ending -ом/-ем after these (Ткачом or Кравецем) depends on the stress, which is not written.
_SOFTENING = _HUSHING + "ц"
_TURKIC_SON = ("оглы", "оглу", "улы", "уулу")
_TURKIC_DAUGHTER = ("кызы", "гызы", "кизи", "кзы")
_INITIALS = re.compile(r"^(?:[А-ЯЁ]\.)+$")
_CYRILLIC_WORD = re.compile(r"^[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*$")

# Endings appended to a stem, by case: (genitive, dative, accusative, instrumental,
# prepositional). A man's accusative is his genitive: people are animate.
_ORDER = (Case.GENITIVE, Case.DATIVE, Case.ACCUSATIVE, Case.INSTRUMENTAL, Case.PREPOSITIONAL)


def _endings(*forms: str) -> dict[Case, str]:
    return dict(zip(_ORDER, forms, strict=True))


_HARD_MALE = _endings("а", "у", "а", "ом", "е")  # Шевчук, Эльчин
_HARD_MALE_SOFTENED = _endings("а", "у", "а", "ем", "е")  # Кравец (unstressed)
_SOFT_MALE = _endings("я", "ю", "я", "ем", "е")  # Гоголь, Гайдай (replacing ь, й)
_POSSESSIVE_MALE = _endings("а", "у", "а", "ым", "е")  # Иванов, Лёвин
_POSSESSIVE_FEMALE = _endings("ой", "ой", "у", "ой", "ой")  # Иванов|а, Лёвин|а
_ADJECTIVE_HARD = _endings("ого", "ому", "ого", "ым", "ом")  # Бел|ый, Толст|ой
_ADJECTIVE_VELAR = _endings("ого", "ому", "ого", "им", "ом")  # Достоевск|ий, Луговск|ой
_ADJECTIVE_FEMALE = _endings("ой", "ой", "ую", "ой", "ой")  # Достоевск|ая
_ADJECTIVE_FEMALE_SOFT = _endings("ей", "ей", "юю", "ей", "ей")  # Син|яя
_A_HARD = _endings("ы", "е", "у", "ой", "е")  # Сковород|а, Ирин|а
_A_VELAR = _endings("и", "е", "у", "ой", "е")  # Глинк|а, Ольг|а
_A_SOFTENED = _endings("и", "е", "у", "ей", "е")  # Гаш|а (unstressed)
_A_TSE = _endings("ы", "е", "у", "ей", "е")  # Птиц|а (unstressed)
_YA = _endings("и", "е", "ю", "ей", "е")  # Зозул|я, Гул|я
_IYA = _endings("ии", "ии", "ию", "ией", "ии")  # Данел|ия, Мар|ия
_PATRONYMIC_MALE = _endings("а", "у", "а", "ем", "е")  # Сергеевич
_PATRONYMIC_FEMALE = _endings("ы", "е", "у", "ой", "е")  # Петровн|а


@dataclass(frozen=True)
class _Name:
    """A name's words by role, each as written; ``surname_last`` says how to put them back."""

    surname: str
    given: tuple[str, ...]  # a given name (possibly hyphenated), or initials
    patronymic: tuple[str, ...]  # a patronymic, or a Turkic one in one or two words
    gender: Gender | None
    initials: bool = False  # ``given`` holds initials: «Иванова М. П.»
    surname_last: bool = False  # «М. П. Иванова»
    turkic: bool = False  # ``patronymic`` is Turkic: «Рауф оглы», «Рауф-оглы»

    def words(self, surname: str, given: Sequence[str], patronymic: Sequence[str]) -> str:
        rest = [*given, *patronymic]
        return " ".join([*rest, surname] if self.surname_last else [surname, *rest])


@functools.cache
def _morph() -> Any:
    """pymorphy3's analyser with the Russian dictionary: loaded once, about 0.1 s and 15 MB."""
    return pymorphy3.MorphAnalyzer(lang="ru")


# --- Public functions ---------------------------------------------------------------------------


def inflect_name(name: str, case: Case) -> str | None:
    """``name`` (a person's full name, surname first) in ``case``; None when its parts or gender
    cannot be told, or a part cannot be declined with certainty."""
    parsed = _parse(name)
    if parsed is None:
        return None
    if case == Case.NOMINATIVE:
        return parsed.words(parsed.surname, parsed.given, parsed.patronymic)
    if parsed.gender is None:
        return None
    surname = _hyphenated(parsed.surname, parsed.gender, case, _surname)
    if surname is None:
        return None
    if parsed.initials:
        return parsed.words(surname, parsed.given, parsed.patronymic)
    given = [_hyphenated(word, parsed.gender, case, _given_name) for word in parsed.given]
    patronymic = (
        list(parsed.patronymic)  # «Рауф оглы» is not declined
        if parsed.turkic
        else _patronymic(parsed.patronymic, parsed.gender, case)
    )
    if any(word is None for word in given) or patronymic is None:
        return None
    return parsed.words(surname, [word for word in given if word], patronymic)


def decline_name(name: str, case: Case) -> str:
    """``name`` in ``case``, or as written (the nominative) when that is not certain: see the
    module's notes."""
    return inflect_name(name, case) or name


def gender_of(name: str) -> Gender | None:
    """The person's gender as the name tells it, or None."""
    parsed = _parse(name)
    return parsed.gender if parsed else None


def short_name(name: str, case: Case = Case.NOMINATIVE, *, initials_first: bool = False) -> str:
    """«Иванова М. П.» (or «М. П. Иванова»), the surname in ``case``: as a list or a signature
    writes a person. A name whose parts cannot be told is returned as written; a surname that
    cannot be declined with certainty stays in the nominative, as the whole name then would."""
    parsed = _parse(name)
    if parsed is None:
        return name
    if parsed.initials:
        initials = [*parsed.given, *parsed.patronymic]
    else:
        # The initial of a Turkic patronymic is its father's name's: «Мамедов Э. Р.».
        initials = [_initial(word) for word in (*parsed.given, *parsed.patronymic[:1])]
    surname = parsed.surname
    if case != Case.NOMINATIVE and inflect_name(name, case) is not None:
        assert parsed.gender is not None  # a declined name has one
        surname = _hyphenated(parsed.surname, parsed.gender, case, _surname) or surname
    return " ".join([*initials, surname] if initials_first else [surname, *initials])


def inflect_position(position: str, case: Case) -> str | None:
    """A position (a noun phrase in the nominative: «учитель математики», «социальный педагог»,
    «педагог-психолог») in ``case``: its leading adjectives and its head noun declined, the rest
    as written («заместителя директора по УВР»). An abbreviation («ЗДУВР», «зам. директора»)
    is returned as written, since it reads the same in every case. None when the head noun is
    not one the dictionary knows in the nominative singular."""
    words = position.split()
    if not words:
        return None
    if case == Case.NOMINATIVE or _abbreviation(words[0]):
        return " ".join(words)
    head = 0
    while head + 1 < len(words) and _adjective(words[head]) and _nominal(words[head + 1]):
        head += 1
    parts = words[head].split("-")
    nouns = [_noun(part) for part in parts]
    if not all(nouns):
        return None
    gender = nouns[0].tag.gender
    declined = []
    for part, noun in zip(parts, nouns, strict=True):
        form = noun.inflect({case.value, "sing"})
        if form is None:
            return None
        declined.append(_as_written(part, form.word))
    result = ["-".join(declined)]
    for word in reversed(words[:head]):
        adjective = _adjective(word)
        animate = case == Case.ACCUSATIVE and gender == "masc"  # учителя, not учитель
        wanted = {case.value, "sing", gender} | ({"anim"} if animate else set())
        form = adjective.inflect(wanted) if adjective else None
        if form is None:
            return None
        result.insert(0, _as_written(word, form.word))
    return " ".join([*result, *words[head + 1 :]])


# --- Reading a name -----------------------------------------------------------------------------


def _parse(name: str) -> _Name | None:
    words = name.split()
    if not words:
        return None
    initials = [word for word in words if _INITIALS.match(word)]
    if initials:
        return _parse_initials(words, initials)
    if not all(_CYRILLIC_WORD.match(word) for word in words):
        return None
    turkic = _turkic(words)
    if turkic is not None:
        sex, size = turkic
        surname, given = words[0], words[1 : len(words) - size]
        if len(given) != 1:
            return None
        return _Name(surname, tuple(given), tuple(words[-size:]), sex, turkic=True)
    if len(words) == 3:
        gender = _patronymic_gender(words[2])
        if gender is None:
            return None
        return _Name(words[0], (words[1],), (words[2],), gender)
    if len(words) == 2:
        gender = _given_name_gender(words[1]) or _surname_gender(words[0])
        return _Name(words[0], (words[1],), (), gender)
    if len(words) == 1:
        return _Name(words[0], (), (), _surname_gender(words[0]))
    return None


def _parse_initials(words: list[str], initials: list[str]) -> _Name | None:
    """«Иванова М. П.», «Иванова М.П.», «М. П. Иванова»: the initials stay, the surname declines."""
    others = [word for word in words if word not in initials]
    if len(others) != 1 or not _CYRILLIC_WORD.match(others[0]) or len(initials) > 2:
        return None
    surname = others[0]
    last = words[-1] == surname
    if words[0] != surname and not last:
        return None
    return _Name(surname, tuple(initials), (), _surname_gender(surname), True, last)


def _turkic(words: list[str]) -> tuple[Gender, int] | None:
    """A Turkic patronymic at the end: its gender and how many words it takes («Рауф оглы»: 2;
    «Рауф-оглы», «Рауфоглы»: 1)."""
    last = words[-1].lower()
    for endings, gender in ((_TURKIC_SON, Gender.MALE), (_TURKIC_DAUGHTER, Gender.FEMALE)):
        if last in endings:
            return (gender, 2) if len(words) == 4 else None
        if len(words) == 3 and last.endswith(endings) and len(last) > 5:
            return gender, 1
    return None


def _patronymic_gender(word: str) -> Gender | None:
    lower = word.lower()
    if lower.endswith("ич") and len(lower) >= 5:  # Сергеевич, Ильич, Кузьмич
        return Gender.MALE
    if lower.endswith(("вна", "чна")) and len(lower) >= 6:  # Петровна, Ильинична
        return Gender.FEMALE
    return None


def _given_name_gender(word: str) -> Gender | None:
    """The gender pymorphy3's dictionary gives every reading of the name, if one."""
    genders = set()
    for part in word.split("-"):
        for parse in _morph().parse(part):
            tag = parse.tag
            if parse.is_known and {"Name", "nomn", "sing"} <= tag.grammemes:
                genders.add(tag.gender)  # None for the common gender: Саша, Женя
    return Gender(genders.pop()) if len(genders) == 1 and None not in genders else None


def _surname_gender(surname: str) -> Gender | None:
    lower = surname.lower().rsplit("-", 1)[-1]
    if lower.endswith(("ова", "ева", "ёва", "ина", "ына", "ская", "цкая")):
        return Gender.FEMALE
    if lower.endswith(("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ской", "цкой")):
        return Gender.MALE
    return None


def _initial(word: str) -> str:
    return word[0].upper() + "."


# --- Declining the parts ------------------------------------------------------------------------


def _hyphenated(
    word: str, gender: Gender, case: Case, decline: Callable[[str, Gender, Case], str | None]
) -> str | None:
    """Each part of a hyphenated word declined by itself: Римскую-Корсакову, Анне-Марии."""
    parts = []
    for part in word.split("-"):
        declined = decline(part, gender, case)
        if declined is None:
            return None
        parts.append(declined)
    return "-".join(parts)


def _patronymic(words: tuple[str, ...], gender: Gender, case: Case) -> list[str] | None:
    if not words:
        return []
    word = words[0]
    if gender == Gender.MALE and word.lower().endswith("ич"):
        return [_as_written(word, word.lower() + _PATRONYMIC_MALE[case])]
    if gender == Gender.FEMALE and word.lower().endswith("на"):
        return [_as_written(word, word.lower()[:-1] + _PATRONYMIC_FEMALE[case])]
    return None


def _given_name(word: str, gender: Gender, case: Case) -> str | None:
    lower = word.lower()
    for parse in _morph().parse(lower):
        tag = parse.tag
        if not (parse.is_known and {"Name", "nomn", "sing"} <= tag.grammemes):
            continue
        if tag.gender not in (gender.value, None):
            continue
        if "Fixd" in tag:
            return word
        form = parse.inflect({case.value})
        return _as_written(word, form.word) if form else None
    # Not in the dictionary: only the rules without exceptions.
    last = lower[-1]
    if gender == Gender.MALE:
        if last in "оеёиуюэы":
            return word  # Педро, Хосе, Рене
        if last == "ь" or (last == "й" and lower[-2:] != "ий"):
            return _as_written(word, lower[:-1] + _SOFT_MALE[case])
        if last not in _VOWELS + "йь":
            endings = _HARD_MALE_SOFTENED if last in _SOFTENING else _HARD_MALE
            return _as_written(word, lower + endings[case])
        return None  # -а, -я, -ий: too many exceptions without the dictionary
    if last not in _VOWELS + "ь" or last in "оеёиуюэы":
        return word  # a woman's name ending in a consonant or -о, -и...: Кэтрин, Натали
    if last == "я" or (last == "а" and len(lower) > 2 and lower[-2] not in _VOWELS):
        return _a_declension(word, lower, case)
    return None  # -ь (Айгуль? Нинель?), -а after a vowel: not certain


def _surname(word: str, gender: Gender, case: Case) -> str | None:
    lower = word.lower()
    if len(lower) < 2:
        return None
    last = lower[-1]
    # Forms that never decline, whatever else holds.
    if lower.endswith(("ых", "их")) or last in "оеёиуюэы":
        return word  # Черных, Долгих, Дурново, Ткаченко, Гюго, Шоу
    adjectival = lower.endswith(("ая", "яя"))
    if last == "а" and lower[-2] in _VOWELS and not adjectival:
        return word  # Гарсиа, Моруа
    if gender == Gender.FEMALE and last not in "ая":
        return word  # Шевчук, Мороз, Гоголь, Кох
    known = _known_surname(lower, gender, case)
    if known is not None:
        return _as_written(word, known) if known else word
    return _surname_by_rule(word, lower, gender, case)


def _known_surname(lower: str, gender: Gender, case: Case) -> str | None:
    """The form pymorphy3's dictionary of surnames gives; "" for one it knows not to decline;
    None when it does not know the surname for this gender."""
    for parse in _morph().parse(lower):
        tag = parse.tag
        if not (parse.is_known and {"Surn", "nomn", "sing"} <= tag.grammemes):
            continue
        if gender.value not in tag and "ms-f" not in tag:
            continue
        if "Fixd" in tag:
            return ""
        form = parse.inflect({case.value})
        return form.word if form else None
    return None


def _surname_by_rule(word: str, lower: str, gender: Gender, case: Case) -> str | None:
    if gender == Gender.FEMALE:
        if lower.endswith(("ова", "ева", "ёва", "ина", "ына")):
            return _as_written(word, lower[:-1] + _POSSESSIVE_FEMALE[case])
        if lower.endswith("яя"):
            return _as_written(word, lower[:-2] + _ADJECTIVE_FEMALE_SOFT[case])
        if lower.endswith("ая"):
            if lower[-3] in _HUSHING:
                return None  # Рыжая: -ей or -ой by the stress
            return _as_written(word, lower[:-2] + _ADJECTIVE_FEMALE[case])
        return _a_declension(word, lower, case)
    if lower.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return _as_written(word, lower + _POSSESSIVE_MALE[case])
    if lower.endswith(("ский", "цкий", "ской", "цкой")) or (
        lower.endswith("ой") and len(lower) >= 5 and lower[-3] in _VELARS + _HUSHING
    ):
        return _as_written(word, lower[:-2] + _ADJECTIVE_VELAR[case])
    if lower.endswith("ый") or (lower.endswith("ой") and len(lower) >= 5):
        return _as_written(word, lower[:-2] + _ADJECTIVE_HARD[case])
    if lower.endswith("ий"):
        if lower[-3] in _VELARS:
            return _as_written(word, lower[:-2] + _ADJECTIVE_VELAR[case])
        return None  # Крайний (Крайнего) or a noun: not certain
    last = lower[-1]
    if last == "ь" or last == "й":
        return _as_written(word, lower[:-1] + _SOFT_MALE[case])  # Коваль, Гайдай, Цой
    if last in "ая":
        return _a_declension(word, lower, case)  # Сковорода, Берия
    endings = _HARD_MALE_SOFTENED if last in _SOFTENING else _HARD_MALE
    return _as_written(word, lower + endings[case])  # Шевчук, Кравец (not in the dictionary)


def _a_declension(word: str, lower: str, case: Case) -> str:
    """A word in -а/-я declined as a noun: Глинка, Сковорода, Берия, Ирина, Гуля."""
    if lower.endswith("ия"):
        return _as_written(word, lower[:-2] + _IYA[case])
    if lower.endswith("я"):
        return _as_written(word, lower[:-1] + _YA[case])
    before = lower[-2]
    if before == "ц":
        endings = _A_TSE
    elif before in _HUSHING:
        endings = _A_SOFTENED
    elif before in _VELARS:
        endings = _A_VELAR
    else:
        endings = _A_HARD
    return _as_written(word, lower[:-1] + endings[case])


# --- Positions ----------------------------------------------------------------------------------


def _abbreviation(word: str) -> bool:
    return "." in word or (len(word) > 1 and word.isupper())


def _noun(word: str) -> Any:
    for parse in _morph().parse(word.lower()):
        tag = parse.tag
        if (
            parse.is_known
            and {"NOUN", "nomn", "sing"} <= tag.grammemes
            and not {"Name", "Surn", "Patr", "Geox", "Fixd"} & tag.grammemes
        ):
            return parse
    return None


def _adjective(word: str) -> Any:
    for parse in _morph().parse(word.lower()):
        if parse.is_known and {"ADJF", "nomn", "sing"} <= parse.tag.grammemes:
            return parse
    return None


def _nominal(word: str) -> bool:
    return bool(_adjective(word) or all(_noun(part) for part in word.split("-")))


# --- Letters as written -------------------------------------------------------------------------


def _as_written(original: str, declined: str) -> str:
    """``declined`` (lower case) with the capitals of ``original``, and with «е» wherever
    ``original`` writes «е» and the dictionary «ё» (Семенов: Семенова, not Семёнова; but Илья:
    Ильёй, the ending's «ё» is the word's own)."""
    lower = original.lower()
    declined = "".join(
        "е" if char == "ё" and index < len(lower) and lower[index] == "е" else char
        for index, char in enumerate(declined)
    )
    if len(original) > 1 and original.isupper():
        return declined.upper()
    return "".join(
        char.upper() if index < len(original) and original[index].isupper() else char
        for index, char in enumerate(declined)
    )
