"""Our own e-mail (notifications/mail.py) over every kind of connection an apprise URL names:
implicit TLS (mode=ssl), STARTTLS with a login, the certificate checked unless verify=no.
Real aiosmtpd servers on 127.0.0.1 with a self-signed certificate made for the test."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sinks import FreePortController, Inbox, plain_text, received

from notifications.delivery import Delivered, Outgoing, deliver, with_smtp

SENDER = "noreply@school.ru"
LOGIN = ("school5", "S3cret")


@pytest.fixture
def tls(tmp_path: Path) -> ssl.SSLContext:
    """A server's TLS context with a self-signed certificate for localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@contextmanager
def server(inbox: Inbox, **options: Any) -> Iterator[int]:
    controller = FreePortController(inbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def login(*args: Any) -> AuthResult:
    return AuthResult(success=args[-1] == LoginPassword(LOGIN[0].encode(), LOGIN[1].encode()))


async def test_our_email_over_tls_and_starttls_and_what_fails(tls: ssl.SSLContext) -> None:
    inbox = Inbox()
    with (
        server(inbox, ssl_context=tls) as implicit,
        # STARTTLS required, then a login (aiosmtpd takes AUTH only over TLS).
        server(
            inbox, tls_context=tls, require_starttls=True, authenticator=login, auth_required=True
        ) as starttls,
        server(inbox) as plain,  # offers no STARTTLS
    ):
        user = f"{LOGIN[0]}:{LOGIN[1]}@"
        urls = {
            1: f"mailtos://127.0.0.1:{implicit}?mode=ssl&verify=no&from={SENDER}",
            2: f"mailtos://{user}127.0.0.1:{starttls}?mode=starttls&verify=no&from={SENDER}",
            3: f"mailtos://127.0.0.1:{implicit}?mode=ssl&from={SENDER}",  # self-signed
            4: f"mailtos://{user}127.0.0.1:{starttls}?mode=starttls&from={SENDER}",
            5: f"mailtos://127.0.0.1:{plain}?mode=starttls&verify=no&from={SENDER}",
            6: f"mailto://127.0.0.1:{starttls}?from={SENDER}",  # no STARTTLS: refused
        }
        batch = [
            Outgoing(
                number,
                with_smtp(f"mailto://person{number}@school.ru", url),
                "Тема",
                "Первая строка.\nВторая строка.",
                link="https://nastavnik.school.ru/p/token",
                sender_name="Наставник — Школа № 5",
            )
            for number, url in urls.items()
        ]
        results = await deliver(batch, timeout=3.0)
    assert results == [
        Delivered(1, True, None),
        Delivered(2, True, None),
        Delivered(3, False, "E-Mail: TLS error"),
        Delivered(4, False, "E-Mail: TLS error"),
        Delivered(5, False, "E-Mail: TLS error"),
        Delivered(6, False, "E-Mail: SMTP reply 530"),
    ]
    assert sorted(envelope.rcpt_tos[0] for envelope in inbox.envelopes) == [
        "person1@school.ru",
        "person2@school.ru",
    ]
    for envelope in inbox.envelopes:
        message = received(envelope)
        assert message.get_content_type() == "multipart/alternative"
        assert plain_text(message).startswith("Первая строка.\nВторая строка.\n\n")
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        assert 'href="https://nastavnik.school.ru/p/token"' in str(html.get_content())
        assert envelope.mail_from == SENDER
