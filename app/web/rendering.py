"""Signed-in pages: the frame every one of them gets (account, role, CSRF token, what the form
before it said), in the shared Jinja2 environment (app/web/templating.py); an error page; and
the link to a flow run's page in the Prefect UI."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.web import flash, sessions
from app.web.templating import TEMPLATES
from domain.accounts import ACCOUNT_ROLE_LABELS, AccountRole


def page(
    request: Request,
    template: str,
    signed: sessions.Signed,
    *,
    status_code: int = 200,
    **values: Any,
) -> Response:
    """A signed-in page: the header needs the account, its role and the session's token; what
    the form before it said (app/web/flash.py) is ``message``, about ``message_about``."""
    role = AccountRole(signed.account.role)
    told = flash.said(request)
    frame = {"account": signed.account, "role_label": ACCOUNT_ROLE_LABELS[role],
             "csrf": signed.csrf, "message": told.message if told else None,
             "message_about": told.about if told else None}  # fmt: skip
    response = TEMPLATES.TemplateResponse(
        request, template, {**frame, **values}, status_code=status_code
    )
    if told:
        flash.forget(response)
    return response


def error_page(message: str, status_code: int) -> HTMLResponse:
    return HTMLResponse(
        TEMPLATES.get_template("error.html").render(message=message), status_code=status_code
    )


def prefect_ui() -> str | None:
    """Where flow runs' pages are: the UI of the Prefect server the actions run on, when one is
    configured (``{ui}/runs/flow-run/{id}``)."""
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    return api.removesuffix("/api") if api else None
