"""The web pages and API served beside the sweep by ``nastavnik serve``: uvicorn on a thread
of the same process, started after the Prefect server (the stage actions need its URL) and
stopped with it."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from app.web.main import create_app
from domain.errors import InvalidInput

STARTUP_SECONDS = 30


class WebServer:
    def __init__(self, host: str, port: int) -> None:
        config = uvicorn.Config(create_app(), host=host, port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self.url = f"http://{host}:{port}"

    def __enter__(self) -> WebServer:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise InvalidInput(
                    f"Веб-интерфейс не запустился на {self.url}: порт занят или недоступен "
                    "(--web-port)"
                )
            time.sleep(0.05)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
