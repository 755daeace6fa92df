"""Delivery of outbox messages through apprise: every channel is an apprise URL.

``deliver`` sends a batch, each message to its one URL, and reports per message whether it went
out. It never retries (the outbox retries with back-off) and never raises for a failed message.

How it drives apprise, and why (apprise 1.13):

- Threads of our own. apprise's plugins are synchronous (requests, smtplib); its
  ``async_notify`` only runs ``send()`` through ``loop.run_in_executor(None, ...)``, i.e. the
  event loop's default executor: min(32, CPUs + 4) threads (6 on a 2-CPU machine) shared with
  everything else on the loop (getaddrinfo, ``asyncio.to_thread``, Prefect). Measured on 2 CPUs
  against an endpoint that takes 50 ms: about 110 msgs/s through ``async_notify`` whatever our
  concurrency, about 450 msgs/s with 50 threads of our own. Against an instant local endpoint
  both are CPU-bound (GIL) at about 600 msgs/s, and concurrency beyond 5-10 adds nothing.
  Our threads also let a thread-local context tie apprise's log records to the message being
  sent (see below), which ``run_in_executor`` would not.
- One apprise object per message, built in the worker thread. Building it costs about 0.2 ms
  (JSON, e-mail URLs), against 1.5 ms or more for the send itself. Sharing one per URL would
  save that but shares plugin state between threads: each plugin instance throttles its own
  requests (``request_rate_per_sec``: 5.5 s between sends for plugins that keep apprise's
  default, e-mail among them), so reuse would also serialise messages to the same URL.
- No retries inside apprise: ``retry`` is forced to 0 (a URL may carry ``?retry=N``) and
  ``optional`` to False (``?optional=yes`` would report a failure as success).
- Timeouts: apprise's socket timeouts (HTTP 4 s connect and read; SMTP 15 s for every step)
  are set to ``timeout`` on every plugin, so a hanging endpoint fails its own message after
  ``timeout`` seconds. As a safety net for a plugin that does not honour them, a message is
  given up after ``deadline_factor * timeout`` seconds; its worker thread is then abandoned
  (a daemon thread; a new worker takes its place), so the batch never waits for it. Such a
  message is reported ``uncertain``: the abandoned thread may still send it, so the outbox
  fails it rather than retry it (a retry could make it go twice); a message given up before
  a worker took it is never sent.
- Bodies are plain text: ``body_format=TEXT`` lets apprise escape them for HTML channels.
  Without it, apprise's e-mail text/plain part loses the line breaks and the HTML part takes
  the text as markup.
- E-mail (apprise's SMTP plugin: mailto://, mailtos://) is not sent by apprise but by
  notifications/mail.py, from the plugin apprise made of the URL: apprise can send a text or
  an HTML it derives the text from, not our text and our HTML both, and the HTML it makes of a
  text has every space as ``&nbsp;``, so the lines do not wrap on a phone. mail.py builds the
  message (text/plain as stored, text/html from a template, From «Наставник — <school>») and
  sends it with smtplib, with the same timeout on every socket step, in the same worker
  thread, so the deadline and ``uncertain`` above hold for it unchanged; smtplib's errors are
  classified into the same reasons (_smtp_reason). A URL asking for PGP stays with apprise.
- The personal link: a message may carry the recipient's link (made at claim time, never
  stored: notifications/outbox/claims.py). Every channel gets it under the text
  (messages.with_link); e-mail also as a button in the HTML part.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import queue
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import apprise
from apprise import NotifyFormat

from domain import settings
from notifications.messages import with_link

_ASSET = apprise.AppriseAsset()
_EMAIL_SCHEMES = ("mailto", "mailtos")


@dataclass(frozen=True)
class Outgoing:
    id: int  # outbox row id
    url: str  # the final apprise URL (see with_smtp for e-mail through the org's server)
    subject: str
    body: str  # plain text, as stored in the outbox
    # Why it cannot be sent at all (its server's password cannot be read, say): it fails with
    # this reason, nothing is sent.
    unsendable: str | None = None
    # The recipient's personal link (domain/person_links.py), made when the batch is claimed;
    # None: none (no public address is set), the message goes as stored.
    link: str | None = None
    # E-mail's From display name, «Наставник — Школа № 5»; None: «Наставник».
    sender_name: str | None = None

    @property
    def text(self) -> str:
        """The text as it goes out: the body, and the personal link under it if any."""
        return with_link(self.body, self.link)


@dataclass(frozen=True)
class Delivered:
    id: int
    ok: bool
    error: str | None  # short English reason on failure: no address, URL or message text
    # Given up at its deadline while its worker still sends: it may go out after all, so the
    # outbox must not send it again by itself.
    uncertain: bool = False


# --- apprise's log records --------------------------------------------------------------------
#
# apprise logs through the "apprise" logger, and its records carry personal data and secrets:
# e-mail addresses ('Sending email to "ivanova@school.ru" failed.'), URLs with tokens, and at
# DEBUG level the whole payload (title and body). None of it may reach our logs, Prefect's or
# anyone's (docs/architecture.md). So a filter on the "apprise" logger takes every record before any
# handler sees it (a filter, not propagate=False: pytest, for one, attaches its handlers to
# non-propagating loggers too): it hands the record to the message being sent in the current
# thread (a context variable set by the worker), or drops it, and lets nothing through. This
# silences apprise in the whole process, Prefect's own apprise notification blocks included.
# deliver() reads a failed message's records only to classify the failure into a fixed,
# data-free vocabulary (_reason). apprise.LogCapture does not fit: it attaches a handler to
# the shared logger without telling threads apart, changes the logger's level for everyone,
# and lets every record go on to the other handlers. The "apprise" logger is set to DEBUG (not
# TRACE, whose URL dumps are costly) because the cause of a failure ("Connection refused",
# "timed out") is only logged at DEBUG. urllib3 (under requests) logs the request line, path
# and query included (bot tokens, chat ids), at DEBUG: its records made while a message is
# being sent are dropped as well.

_records: contextvars.ContextVar[list[logging.LogRecord] | None] = contextvars.ContextVar(
    "nastavnik_delivery_records", default=None
)
_MAX_RECORDS = 200


class _ToCurrentMessage(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        records = _records.get()
        if records is not None and len(records) < _MAX_RECORDS:
            records.append(record)
        return False


class _NotWhileSending(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return _records.get() is None


_TO_CURRENT_MESSAGE = _ToCurrentMessage()
_NOT_WHILE_SENDING = _NotWhileSending()


def _quiet_apprise() -> None:
    """Keep apprise's records, and urllib3's about our messages, from every log handler.
    Idempotent and cheap; run on import and again by each deliver() in case logging was
    reconfigured since (logging.config.dictConfig may reset existing loggers)."""
    logger = logging.getLogger("apprise")
    logger.setLevel(logging.DEBUG)
    if _TO_CURRENT_MESSAGE not in logger.filters:
        logger.addFilter(_TO_CURRENT_MESSAGE)
    for name, each in list(logging.Logger.manager.loggerDict.items()):
        if (
            isinstance(each, logging.Logger)
            and name.split(".")[0] in ("urllib3", "requests")
            and _NOT_WHILE_SENDING not in each.filters
        ):
            each.addFilter(_NOT_WHILE_SENDING)


_quiet_apprise()

# Failure causes as apprise and the libraries under it word them, most specific first.
_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (r"timed out|timeout", "timed out"),
        (r"refused", "connection refused"),
        (
            r"name or service not known|nodename nor servname|getaddrinfo|name resolution"
            r"|NameResolutionError",
            "host not found",
        ),
        (r"certificate|\bssl\b|\b(start)?tls\b|handshake", "TLS error"),
        (
            r"unexpectedly closed|connection reset|connection aborted|remote ?disconnected",
            "connection closed by the server",
        ),
        (r"network is unreachable|no route to host", "network unreachable"),
        (r"no message body|no message content", "empty message"),
        (r"disabled on this system", "channel not available on this system"),
    )
)
_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_SMTP_REPLY = re.compile(r"\((\d{3}), b['\"]")


def _reason(records: Sequence[logging.LogRecord]) -> str:
    """A short English reason from apprise's records for a failed message. Only words from a
    fixed vocabulary and status codes leave here, never the records' text."""
    # Warnings and errors say what failed; the cause is in apprise's DEBUG "Socket Exception: ..."
    # lines. Other DEBUG lines (URLs, payloads, a server's response body) are not looked at.
    text = "\n".join(
        line
        for record in records
        if (line := _message(record)) and (record.levelno >= logging.WARNING or "Exception" in line)
    )
    if match := _HTTP_STATUS.search(text):
        return f"HTTP {match.group(1)}"
    if match := _SMTP_REPLY.search(text):
        return f"SMTP reply {match.group(1)}"
    for pattern, reason in _CAUSES:
        if pattern.search(text):
            return reason
    return "not delivered"


def _smtp_reason(error: BaseException) -> str:
    """The same vocabulary for what smtplib raised while mail.py sent: a server's reply by its
    code only (its text may quote the address), the rest by the kind of error, never its text.
    smtplib wraps a socket's error (a read that timed out) in SMTPServerDisconnected: the
    socket's error is the cause."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [reply[0] for reply in error.recipients.values()]
        return f"SMTP reply {codes[0]}" if codes else "not delivered"
    if isinstance(error, smtplib.SMTPResponseException) and 200 <= error.smtp_code <= 599:
        return f"SMTP reply {error.smtp_code}"
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for each in reversed(chain):  # the first cause first
        for kinds, reason in _SOCKET_ERRORS:
            if isinstance(each, kinds):
                return reason
    if any(isinstance(each, smtplib.SMTPServerDisconnected) for each in chain):
        return "connection closed by the server"
    # Others (no STARTTLS offered, an unreachable network...) by their wording, as _reason does.
    for pattern, reason in _CAUSES:
        if pattern.search(str(error)):
            return reason
    return "not delivered"


_SOCKET_ERRORS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (TimeoutError, "timed out"),  # socket.timeout too
    (ConnectionRefusedError, "connection refused"),
    (socket.gaierror, "host not found"),
    (ssl.SSLError, "TLS error"),
    (
        (ConnectionResetError, ConnectionAbortedError, BrokenPipeError),
        "connection closed by the server",
    ),
)


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a plugin's malformed log call must not hide the result
        return ""


# --- sending one message (in a worker thread) ---------------------------------------------------


def _send(message: Outgoing, timeout: float) -> Delivered:
    if message.unsendable:
        return Delivered(message.id, False, message.unsendable)
    records: list[logging.LogRecord] = []
    token = _records.set(records)
    try:
        plugin = apprise.Apprise.instantiate(message.url, asset=_ASSET)
        if plugin is None:
            return Delivered(message.id, False, "invalid or unsupported apprise URL")
        plugin.retry = 0
        plugin.optional = False
        plugin.socket_connect_timeout = timeout
        plugin.socket_read_timeout = timeout
        # Here, not at the top: apprise's e-mail plugin brings requests (0.1 s) to every
        # command that merely reads the outbox; a sweep pays it once, with its first message.
        from notifications import mail

        if mail.handles(plugin):
            try:
                mail.send(
                    plugin,
                    message.subject,
                    message.body,
                    message.link,
                    message.sender_name,
                    timeout,
                )
            except (OSError, smtplib.SMTPException) as error:
                return Delivered(
                    message.id, False, f"{plugin.service_name!s}: {_smtp_reason(error)}"
                )
            return Delivered(message.id, True, None)
        sent = apprise.Apprise(plugin, asset=_ASSET).notify(
            body=message.text, title=message.subject, body_format=NotifyFormat.TEXT
        )
        if sent:
            return Delivered(message.id, True, None)
        return Delivered(message.id, False, f"{plugin.service_name!s}: {_reason(records)}")
    except Exception as error:  # apprise catches its plugins' errors; this is a safety net
        return Delivered(message.id, False, f"unexpected {type(error).__name__}")
    finally:
        _records.reset(token)


_Job = tuple[Outgoing, "asyncio.Future[Delivered]"]


def _resolve(future: asyncio.Future[Delivered], result: Delivered) -> None:
    if not future.done():  # not given up on in the meantime
        future.set_result(result)


def _work(
    jobs: queue.SimpleQueue[_Job | None], timeout: float, loop: asyncio.AbstractEventLoop
) -> None:
    while (job := jobs.get()) is not None:
        message, future = job
        if future.done():  # given up while it waited: it must not go out late
            continue
        result = _send(message, timeout)
        try:
            loop.call_soon_threadsafe(_resolve, future, result)
        except RuntimeError:  # the loop is closed: nobody waits for this result any more
            return


# --- the batch ----------------------------------------------------------------------------------


async def deliver(
    batch: Sequence[Outgoing],
    concurrency: int | None = None,
    timeout: float | None = None,
    on_result: Callable[[Delivered], None] | None = None,
) -> list[Delivered]:
    """Deliver each message to its one URL, at most `concurrency` at a time; one result per
    message in input order; a failing or hanging endpoint fails only its own message
    (per-message timeout), never the batch; never raises for a delivery failure.
    `on_result` hears of each message as soon as its result is known, so that the caller can
    record it then rather than after the whole batch.

    `timeout`: seconds any one network step may take (apprise's socket timeouts); a message
    as a whole is given up after `deadline_factor` times it (settings), and is then reported
    `uncertain`. A message is sent once: apprise's own retries are off. A URL should name one
    recipient: if it names several and one fails, the message is reported failed as a whole."""
    config = settings.current()
    concurrency = concurrency if concurrency is not None else config.concurrency
    timeout = timeout if timeout is not None else config.delivery_timeout
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    if not batch:
        return []
    _quiet_apprise()
    loop = asyncio.get_running_loop()
    jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
    workers = 0

    def add_worker() -> None:
        nonlocal workers
        threading.Thread(
            target=_work, args=(jobs, timeout, loop), name="nastavnik-delivery", daemon=True
        ).start()
        workers += 1

    # At most `concurrency` messages are in flight, and there is always an idle worker for
    # each: a worker stuck past a message's deadline is replaced, so no message waits in the
    # queue while its deadline runs.
    slots = asyncio.Semaphore(concurrency)
    deadline = config.deadline_factor * timeout

    async def one(message: Outgoing) -> Delivered:
        async with slots:
            future: asyncio.Future[Delivered] = loop.create_future()
            jobs.put((message, future))
            try:
                result = await asyncio.wait_for(future, deadline)
            except TimeoutError:
                add_worker()
                result = Delivered(
                    message.id, False, f"timed out after {deadline:g} s", uncertain=True
                )
            if on_result is not None:
                on_result(result)
            return result

    for _ in range(min(concurrency, len(batch))):
        add_worker()
    try:
        return list(await asyncio.gather(*(one(message) for message in batch)))
    finally:
        for _ in range(workers):  # each worker, stuck or not, ends on one of these
            jobs.put(None)


# --- e-mail through the organisation's server ---------------------------------------------------


def with_smtp(address: str, smtp: str | None) -> str:
    """Compose a person's e-mail address with the organisation's SMTP server.
    address: a person's contact URL, e.g. "mailto://ivanova@school.ru" (or any other apprise URL,
    which is returned unchanged). smtp: the organisation's server as an apprise e-mail URL without
    recipient, e.g. "mailtos://user:pass@smtp.school.ru:465?from=noreply@school.ru" or
    "mailto://127.0.0.1:2525?from=noreply@school.ru" (a plain local server, no login), or None
    (then the address goes as apprise would send it by itself). The result is an apprise URL
    that sends to the person's address through that server.

    The result is the server's URL, kept as written (scheme, login, host, port and every
    parameter: from=, name=, smtp=, mode=, cc=, bcc=, ...), with the person as ``to=``. apprise's
    e-mail plugin connects to ``smtp=`` if given, else to the URL's host; logs in with the URL's
    user and password; sends as ``from=`` (else user@host); and takes recipients from the path
    and ``to=``. One fix-up: ``mailtos://`` on port 465 without ``mode=`` gets ``mode=ssl``,
    since apprise's default for mailtos is STARTTLS, which fails on the implicit-TLS port 465.
    A mailto URL that is more than a bare address (a login, a port, a path or parameters of its
    own) already says how to send and is returned unchanged."""
    if smtp is None:
        return address
    person = urlsplit(address)
    if person.scheme.lower() not in _EMAIL_SCHEMES or not _is_bare_address(address):
        return address
    recipient = f"{unquote(person.username or '')}@{person.hostname}"

    server = urlsplit(smtp)
    if server.scheme.lower() not in _EMAIL_SCHEMES or not server.hostname:
        raise ValueError("the organisation's SMTP server must be a mailto:// or mailtos:// URL")
    keys = {key.lower() for key, _ in parse_qsl(server.query, keep_blank_values=True)}
    if server.path.strip("/") or "to" in keys:
        raise ValueError("the organisation's SMTP server URL must not name a recipient")
    # The server's query is kept byte for byte: decoding and re-encoding it could change it.
    extra = []
    if server.scheme.lower() == "mailtos" and "mode" not in keys and server.port == 465:
        extra.append("mode=ssl")
    extra.append("to=" + quote(recipient, safe="@"))
    query = "&".join([server.query, *extra] if server.query else extra)
    return urlunsplit((server.scheme, server.netloc, "", query, ""))


def _is_bare_address(address: str) -> bool:
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        return False
    return bool(
        parts.username
        and parts.hostname
        and parts.password is None
        and port is None
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    )
