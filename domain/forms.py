"""Forms of mentoring a program runs: the five of Р-145, school to school, and the teacher forms
of the 2021 recommendations (docs/reference/roadmap.md)."""

from __future__ import annotations

from domain.errors import InvalidInput

FORMS: dict[str, str] = {
    "student_student": "ученик – ученик",
    "teacher_teacher": "учитель – учитель",
    "student_pupil": "студент – ученик",
    "employer_pupil": "работодатель – ученик",
    "employer_student": "работодатель – студент",
    "school_school": "образовательная организация – образовательная организация",
    "virtual": "виртуальное",
    "group": "групповое",
    "short_term": "краткосрочное или целеполагающее",
    "reverse": "реверсивное",
    "situational": "ситуационное",
    "speed": "скоростное",
    "traditional": "традиционное (один на один)",
    "head_teacher": "руководитель ОО – учитель",
}


def _folded(text: str) -> str:
    """Compare forms as people type them: any dash, any case, any spacing."""
    for dash in ("—", "–", "-"):
        text = text.replace(dash, "-")
    return " ".join(text.replace("-", " - ").lower().replace("ё", "е").split())


_BY_LABEL = {_folded(label): code for code, label in FORMS.items()}


def form_code(text: str) -> str:
    """The code of a form given by its code (``teacher_teacher``) or its Russian name."""
    if text in FORMS:
        return text
    code = _BY_LABEL.get(_folded(text))
    if code is None:
        known = ", ".join(f"{code} ({label})" for code, label in FORMS.items())
        raise InvalidInput(f"Неизвестная форма наставничества «{text}». Известные: {known}")
    return code
