"""E-mail as people read it: our own MIME message, sent with smtplib on the settings apprise
read from the URL.

Why not apprise's own sending: its e-mail plugin (apprise 1.13, ``NotifyEmail.prepare_emails``)
sends either the text alone, or HTML with a text/plain part generated from that HTML. Given
text, it makes the HTML part itself, with every space turned into ``&nbsp;``, so that on a
phone the lines of the message cannot wrap; and it has no way to carry our plain text and our
HTML both. So apprise still parses the URL (every form it knows keeps working: ``smtp=``,
``from=``, ``name=``, ``mode=ssl|starttls``, a login, ``to=``, ``cc=``, ``bcc=``, a port,
``+Header=value``, the providers it knows by their domain) and we read the connection from
its plugin instance, build the message here and send it with smtplib, as the plugin would:

- multipart/alternative: the message's text as text/plain (line breaks kept), and an HTML
  part rendered from notifications/templates/email.html.j2 (escaped, ordinary spaces, the
  personal link as a button), both base64 in UTF-8;
- From: the URL's address with a display name, «Наставник — <the organisation>», unless the
  URL names the sender itself (``name=``, or ``from=Name <address>``); Subject, Date,
  Message-ID, Auto-Submitted;
- the connection: SMTP, SMTP over TLS (``mode=ssl``) or STARTTLS, the certificate checked
  unless the URL says ``verify=no``, a login when the URL has a user and a password, and
  ``timeout`` on every socket step (connect, each reply), as apprise's socket timeouts are;
- one message per recipient of the URL, over one connection; any failure fails it as a whole.

``send`` raises what smtplib raises (``smtplib.SMTPException``, ``OSError``); the caller,
notifications/delivery.py, turns that into a short reason with no address or text in it. Nothing
here logs. A URL that asks for PGP (``pgp=``) is left to apprise, which can sign or encrypt.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from email import charset, policy
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, make_msgid
from typing import Any, TypeGuard

from apprise.plugins.email import NotifyEmail, SecureMailMode

from notifications.messages import email_html, sender_name, with_link

# Each part's text in base64: compact for Cyrillic, and needs no 8BITMIME from the server.
# (apprise registers quoted-printable for UTF-8 process-wide; this charset is our own.)
_UTF8 = charset.Charset("utf-8")
_UTF8.body_encoding = charset.BASE64
_NO_PGP = ("", "no", "none")
_LINE_END = re.compile(r"\r?\n")


def handles(plugin: Any) -> TypeGuard[NotifyEmail]:
    """Whether this module sends for the plugin: apprise's SMTP e-mail, without PGP."""
    return isinstance(plugin, NotifyEmail) and str(plugin.pgp_mode or "").lower() in _NO_PGP


def send(
    plugin: NotifyEmail,
    subject: str,
    body: str,
    link: str | None,
    sender: str | None,
    timeout: float,
) -> None:
    """Send a message to every recipient of the plugin's URL; raises on any failure.
    ``body``: the stored text; ``link``: the recipient's personal link, or None; ``sender``:
    the From's display name (default «Наставник»)."""
    messages = list(_messages(plugin, subject, body, link, sender))
    context = ssl.create_default_context()
    if not plugin.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    host, port = str(plugin.smtp_host), int(plugin.port or 0)  # 0: smtplib's default, 25
    server: smtplib.SMTP
    if plugin.secure_mode == SecureMailMode.SSL:
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if plugin.secure_mode == SecureMailMode.STARTTLS:
            server.starttls(context=context)
        if plugin.user and plugin.password:
            server.login(plugin.user, plugin.password)
        for recipients, message in messages:
            server.sendmail(_address(plugin), recipients, message)
    finally:
        # A failed TLS handshake or a closed connection may have spoiled the socket already.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
        server.close()


def _messages(
    plugin: NotifyEmail, subject: str, body: str, link: str | None, sender: str | None
) -> Iterable[tuple[list[str], bytes]]:
    """(envelope recipients, the message as bytes) for each recipient of the URL, as apprise's
    plugin would address them: the others of cc and bcc, never the recipient twice."""
    text = with_link(body, link)
    html = email_html(subject, body, link)
    from_ = _named(_display_name(plugin, sender), _address(plugin))
    names: dict[str, Any] = plugin.names
    domain = _address(plugin).rpartition("@")[2] or None
    for to_name, to_addr in plugin.targets:
        cc = sorted(plugin.cc - plugin.bcc - {to_addr})
        bcc = sorted(plugin.bcc - {to_addr})
        reply_to = sorted(plugin.reply_to - {to_addr})
        message = MIMEMultipart("alternative", policy=policy.SMTP)
        message.attach(_part(text, "plain"))
        message.attach(_part(html, "html"))
        for name, value in plugin.headers.items():  # the URL's +Header=value
            message[name] = value
        message["Subject"] = subject
        message["From"] = from_
        message["To"] = _named(to_name, to_addr)
        if cc:
            message["Cc"] = ", ".join(_named(names.get(each), each) for each in cc)
        if reply_to:
            message["Reply-To"] = ", ".join(_named(names.get(each), each) for each in reply_to)
        message["Date"] = format_datetime(datetime.now().astimezone())
        message["Message-ID"] = make_msgid(domain=domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        yield [to_addr, *cc, *bcc], message.as_bytes()


def _part(text: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, policy=policy.SMTP)
    # Base64 keeps line ends as they are: in their canonical form (RFC 2046), CRLF.
    part.set_payload(_LINE_END.sub("\r\n", text), _UTF8)
    return part


def _address(plugin: NotifyEmail) -> str:
    return str(plugin.from_addr[1])


def _display_name(plugin: NotifyEmail, sender: str | None) -> str:
    """The URL's own sender name if it gives one, else ours. apprise names the sender after
    itself (its app_id) when the URL does not."""
    own = plugin.from_addr[0]
    if isinstance(own, str) and own and own != plugin.app_id:
        return own
    return sender or sender_name(None)


def _named(name: Any, address: str) -> str:
    """``Name <address>``, the name quoted as needed (the header's policy encodes it)."""
    return str(Address(display_name=name if isinstance(name, str) else "", addr_spec=address))
