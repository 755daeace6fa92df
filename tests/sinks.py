"""Real local servers for delivery tests: an SMTP server (aiosmtpd) and HTTP servers that
receive apprise's json:// posts. Each binds 127.0.0.1 on a free port and stops when its
``with`` block ends."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


class Inbox:
    """aiosmtpd handler: refuses the given addresses, keeps every accepted message."""

    def __init__(self, refuse: Collection[str] = ()) -> None:
        self.refuse = set(refuse)
        self.envelopes: list[Envelope] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class FreePortController(Controller):
    """aiosmtpd's Controller checks its server by connecting to the configured port, which
    fails for port 0: take the port the server was actually bound to first."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(
    refuse: Collection[str] = (), login: tuple[str, str] | None = None
) -> Iterator[tuple[int, Inbox]]:
    """``login``: the server takes mail only after AUTH with this login and password (on the
    plain connection: a test has no certificate)."""
    inbox = Inbox(refuse)
    auth: dict[str, Any] = {}
    if login is not None:
        expected = LoginPassword(login[0].encode(), login[1].encode())

        def authenticator(*args: Any) -> AuthResult:
            data = args[-1]  # (server, session, envelope, mechanism, auth_data)
            return AuthResult(success=data == expected)

        auth = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    controller = FreePortController(inbox, hostname="127.0.0.1", port=0, **auth)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def received(envelope: Envelope) -> EmailMessage:
    assert isinstance(envelope.content, bytes)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


class HttpEndpoint:
    """What an HTTP server received, and how it answers (status by call number, delay)."""

    def __init__(self, status: Callable[[int], int], delay: float) -> None:
        self.status = status
        self.delay = delay
        self.port = 0
        self.lock = threading.Lock()
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.posts: list[tuple[str, dict[str, Any]]] = []

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"


@contextmanager
def http_server(
    status: Callable[[int], int] = lambda call: 200, delay: float = 0.0
) -> Iterator[HttpEndpoint]:
    endpoint = HttpEndpoint(status, delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with endpoint.lock:
                endpoint.calls += 1
                call = endpoint.calls
                endpoint.in_flight += 1
                endpoint.max_in_flight = max(endpoint.max_in_flight, endpoint.in_flight)
                endpoint.posts.append((self.path, payload))
            try:
                time.sleep(endpoint.delay)
            finally:
                with endpoint.lock:
                    endpoint.in_flight -= 1
            self.send_response(endpoint.status(call))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the default 5 drops connections under 50 concurrent clients

    server = Server(("127.0.0.1", 0), Handler)
    endpoint.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def closed_port() -> Iterator[int]:
    """A port nothing listens on: bound to find a free one, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    yield port


@contextmanager
def hanging_port() -> Iterator[int]:
    """Accepts connections (the kernel completes them from the backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@contextmanager
def trickling_port() -> Iterator[int]:
    """Answers one byte every 0.2 s, forever: no single read ever times out."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)

    def serve() -> None:
        connections: list[socket.socket] = []
        while not stop.is_set():
            with suppress(TimeoutError):
                connections.append(listener.accept()[0])
            for connection in connections:
                with suppress(OSError):
                    connection.sendall(b"H")
            stop.wait(0.2)
        for connection in connections:
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()
