"""A Prefect server of our own for ``nastavnik serve`` when no ``PREFECT_API_URL`` is set.

Prefect's embedded server (what other commands start in-process) runs no services: no
scheduler creates the runs of a cron deployment, so a ``serve`` against it would wait for ever
and send nothing. This starts ``prefect server start`` as a child process on 127.0.0.1, with
its scheduler and the rest of its services, on Prefect's own database (``PREFECT_HOME``, where
the other commands keep their runs too), and stops it with the process that started it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from domain.errors import NastavnikError

HOST = "127.0.0.1"
PREFERRED_PORT = 4200  # Prefect's own default: its UI where an administrator expects it
# The first start creates Prefect's database and builds its UI: tens of seconds on 2 cores.
STARTUP_TIMEOUT = 180.0
STOP_GRACE = 15.0


class PrefectServerFailed(NastavnikError):
    """Our own Prefect server did not start; the flows that need it cannot run."""

    exit_code = 6


def free_port(preferred: int = PREFERRED_PORT) -> int:
    """``preferred`` if nothing listens there, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            bound: int = probe.getsockname()[1]
            return bound
    raise PrefectServerFailed("Нет свободного порта для сервера Prefect на 127.0.0.1")


class LocalPrefectServer:
    """``with LocalPrefectServer(log) as server:`` a running Prefect server at ``server.api_url``.

    Its output goes to ``log`` (appended), which error messages name. It runs in a session of
    its own so that Ctrl+C in the terminal reaches us, and we stop it in order: SIGTERM to its
    whole process group, SIGKILL if it lingers.
    """

    def __init__(self, log: Path, port: int | None = None) -> None:
        self.log = log
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.api_url = f"{self.url}/api"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalPrefectServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", HOST, "--port", str(self.port)]
        with self.log.open("ab") as sink:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PrefectServerFailed(
                    f"Сервер Prefect завершился при запуске (код {self._process.returncode}); "
                    f"подробности в журнале {self.log}"
                )
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise PrefectServerFailed(
            f"Сервер Prefect не ответил за {STARTUP_TIMEOUT:.0f} с; "
            f"подробности в журнале {self.log}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
