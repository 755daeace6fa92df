"""Where the flows run: the Prefect API this process talks to, and what to say when it cannot.

Prefect reads ``PREFECT_API_URL`` (or its profile); without one, each process starts Prefect's
embedded server in-process, which runs flows but no scheduler.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from prefect.settings import PREFECT_API_URL

from domain import logbook
from domain.errors import NastavnikError


class FlowRunFailed(NastavnikError):
    """A flow run could not run: Prefect unreachable, the run crashed."""

    exit_code = 6


def configured_api_url() -> str | None:
    """The Prefect server this process is pointed at, or None for the embedded one."""
    return PREFECT_API_URL.value() or None


def require_configured_reachable() -> None:
    """Before a command runs flows: a configured Prefect server must answer (exit 6 at once,
    rather than after the client's retries); the embedded one starts when first needed."""
    api_url = configured_api_url()
    if api_url:
        require_reachable(api_url)


def engine_failure(error: BaseException) -> str:
    """What went wrong with Prefect, in Russian words, for a person: never a class name."""
    text = str(error)
    if "ephemeral Prefect API server" in text:
        return "встроенный сервер Prefect не запустился"
    if isinstance(error, httpx.TransportError) or isinstance(error.__cause__, httpx.TransportError):
        return "сервер Prefect недоступен"
    if isinstance(error, httpx.HTTPStatusError) or "HTTPStatusError" in type(error).__name__:
        return "сервер Prefect ответил ошибкой"
    return "сбой при выполнении"


def require_reachable(api_url: str) -> None:
    """Refuse, with exit 6, a configured Prefect server that does not answer its health check."""
    try:
        healthy = httpx.get(f"{api_url.rstrip('/')}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    if not healthy:
        raise FlowRunFailed(
            f"Сервер Prefect {api_url} (PREFECT_API_URL) не отвечает, ничего не изменено: "
            "запустите его (prefect server start) или уберите PREFECT_API_URL, чтобы "
            "использовать встроенный"
        )


@contextmanager
def prefect_failures(what: str) -> Iterator[None]:
    """Run flows with every failure of Prefect's as one Russian line and exit 6, its details
    in the log; ``what`` (English, no personal data) heads the log entry. Our own errors pass
    as they are."""
    require_configured_reachable()
    try:
        yield
    except NastavnikError:
        raise
    except Exception as error:
        log = logbook.log_failure(what, error)
        raise FlowRunFailed(
            f"Prefect не выполнил запуск ({engine_failure(error)})"
            + (f"; подробности — в журнале {log}" if log else "")
        ) from error
