"""The pages' static files (app/web/static: htmx, vendored), served under /static.

Schools' networks are slow and unreliable, so a browser keeps each file for a year; a page
names it with its content's digest (``?v=…``), so a new file is a new address and no browser
keeps an old one."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
PREFIX = "/static"
KEPT_FOR = "public, max-age=31536000, immutable"


class LongCachedFiles(StaticFiles):
    """StaticFiles whose answers a browser may keep for a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = KEPT_FOR
        return response


def static_files() -> LongCachedFiles:
    return LongCachedFiles(directory=STATIC)


@cache
def static_url(name: str) -> str:
    """The address of a static file, changing with its content."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{PREFIX}/{name}?v={digest}"
