"""The webhook transport over real TLS on loopback: it connects to the address it checked, yet
verifies the certificate against the URL's host name, and reads only the start of an answer."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eckospace.webhooks import transport
from eckospace.webhooks.targets import Policy

LOOPBACK = Policy(allow_loopback=True)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 whose certificate names only `localhost`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"host": self.headers.get("Host")})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 100_000)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"port": server.server_address[1], "ca": str(cert_file), "seen": seen}
    server.shutdown()


def to_loopback(host, port, *args, **kwargs):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]


def test_tls_is_verified_against_the_urls_host_name(tls_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", tls_server["ca"])
    port = tls_server["port"]
    outcome = transport.post(f"https://localhost:{port}/in", b"{}", {}, policy=LOOPBACK, resolver=to_loopback)
    assert outcome.status == 200 and outcome.error is None
    assert len(outcome.snippet) == transport.SNIPPET_BYTES  # not the 100 kB the server sent
    assert tls_server["seen"][-1]["host"] == f"localhost:{port}"
    # The same address under another name: the certificate does not cover it.
    refused = transport.post(f"https://other.localhost:{port}/in", b"{}", {}, policy=LOOPBACK, resolver=to_loopback)
    assert refused.status is None and refused.error.startswith("tls")


def test_an_untrusted_certificate_is_refused(tls_server):
    outcome = transport.post(
        f"https://localhost:{tls_server['port']}/in", b"{}", {}, policy=LOOPBACK, resolver=to_loopback
    )
    assert outcome.status is None and outcome.error.startswith("tls")


def test_the_connection_goes_to_the_checked_address_only(tls_server, monkeypatch):
    opened = []
    real = transport._open_pool
    monkeypatch.setattr(transport, "_open_pool", lambda *a: opened.append(a[1]) or real(*a))
    monkeypatch.setenv("SSL_CERT_FILE", tls_server["ca"])
    transport.post(f"https://localhost:{tls_server['port']}/in", b"{}", {}, policy=LOOPBACK, resolver=to_loopback)
    assert opened == ["127.0.0.1"] and ipaddress.ip_address(opened[0]).is_loopback
