"""Where the flows run: the Prefect API this process talks to, and what to say when it cannot.

Prefect reads ``PREFECT_API_URL`` (or its profile); without one, each process starts Prefect's
embedded server in-process, which runs flows but no scheduler.
"""

from __future__ import annotations

import httpx
from prefect.settings import PREFECT_API_URL

from domain.errors import NastavnikError


class FlowRunFailed(NastavnikError):
    """A flow run could not run: Prefect unreachable, the run crashed."""

    exit_code = 6


def configured_api_url() -> str | None:
    """The Prefect server this process is pointed at, or None for the embedded one."""
    return PREFECT_API_URL.value() or None


def require_reachable(api_url: str) -> None:
    """Refuse, with exit 6, a configured Prefect server that does not answer its health check."""
    try:
        healthy = httpx.get(f"{api_url.rstrip('/')}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    if not healthy:
        raise FlowRunFailed(
            f"Сервер Prefect {api_url} (PREFECT_API_URL) не отвечает: запустите его "
            "(prefect server start) или уберите PREFECT_API_URL, чтобы использовать встроенный"
        )
