"""The domain's refusals as HTTP answers: a person's mistake is a 4xx with its Russian
message, never a 500; the API answers JSON ``{"detail": ...}``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from domain.errors import (
    AccessRefused,
    DatabaseUnavailable,
    InvalidInput,
    NastavnikError,
    NotFound,
    TransitionRefused,
)

STATUS: list[tuple[type[NastavnikError], int]] = [
    (AccessRefused, 403),
    (InvalidInput, 422),
    (NotFound, 404),
    (TransitionRefused, 409),
    (DatabaseUnavailable, 503),
]


def status_of(error: NastavnikError) -> int:
    return next((status for kind, status in STATUS if isinstance(error, kind)), 503)


async def as_json(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NastavnikError)
    return JSONResponse({"detail": str(error)}, status_code=status_of(error))
