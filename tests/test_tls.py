"""The clinic-local CA (intake.tls) and the make_certs command. No database, no network."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import stat
import threading
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from intake import tls

LAN_HOST = "intake.clinic.lan"
LAN_IP = "192.168.1.20"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA + server certificate shared by the read-only tests (keys are cheap, but not free)."""
    directory = tmp_path_factory.mktemp("tls")
    tls.ensure_server_cert(directory, ["localhost", LAN_HOST], ["127.0.0.1", "::1", LAN_IP])
    return directory


def _ca(directory: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate((directory / "ca.crt").read_bytes())


def _chain(directory: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((directory / "server.crt").read_bytes())


def _verify(directory: Path, subject: x509.DNSName | x509.IPAddress) -> None:
    leaf, *intermediates = _chain(directory)
    verifier = PolicyBuilder().store(Store([_ca(directory)])).build_server_verifier(subject)
    # The appended CA in server.crt is the trust anchor itself; passing it as an
    # "intermediate" is what a browser effectively gets from nginx and must not matter.
    verifier.verify(leaf, intermediates)


@pytest.mark.parametrize(
    "subject",
    [
        x509.DNSName("localhost"),
        x509.DNSName(LAN_HOST),
        x509.IPAddress(ipaddress.ip_address(LAN_IP)),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ],
    ids=str,
)
def test_it_verifies_the_chain_for_dns_and_ip_names(
    issued: Path, subject: x509.DNSName | x509.IPAddress
) -> None:
    _verify(issued, subject)


def test_it_rejects_a_name_that_is_not_in_the_certificate(issued: Path) -> None:
    with pytest.raises(VerificationError):
        _verify(issued, x509.DNSName("intake.example.org"))
    with pytest.raises(VerificationError):
        _verify(issued, x509.IPAddress(ipaddress.ip_address("192.168.1.21")))


def test_it_writes_private_keys_0600_and_a_der_copy_of_the_ca(issued: Path) -> None:
    for name in ("ca.key", "server.key"):
        assert stat.S_IMODE((issued / name).stat().st_mode) == 0o600, name
    der = x509.load_der_x509_certificate((issued / "ca.der.crt").read_bytes())
    assert der == _ca(issued)


def test_it_gives_the_ca_and_the_server_the_expected_extensions(issued: Path) -> None:
    ca = _ca(issued)
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value

    leaf, appended_ca = _chain(issued)
    assert appended_ca == ca
    assert leaf.issuer == ca.subject
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    leaf_usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert leaf_usage.critical and leaf_usage.value.digital_signature
    assert not leaf_usage.value.key_cert_sign
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ca_ski.digest
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    validity = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert validity <= dt.timedelta(days=397)
    assert validity > dt.timedelta(days=396)


def test_it_describes_subject_sans_expiry_and_fingerprint(issued: Path) -> None:
    text = tls.describe(issued / "server.crt")
    fingerprint = ":".join(f"{b:02X}" for b in _chain(issued)[0].fingerprint(hashes.SHA256()))
    assert f"SHA-256:   {fingerprint}" in text
    assert f"DNS:{LAN_HOST}" in text and f"IP:{LAN_IP}" in text and "IP:::1" in text
    assert "days left" in text and "CN=localhost" in text
    # The DER copy the tablets import describes the same CA as the PEM.
    ca_pem, ca_der = tls.describe(issued / "ca.crt"), tls.describe(issued / "ca.der.crt")
    assert ca_pem == ca_der and "CA:        yes" in ca_pem and "SANs:      (none)" in ca_pem


def test_it_reuses_the_ca_and_the_server_certificate(tmp_path: Path) -> None:
    first = tls.ensure_server_cert(tmp_path, ["localhost"], ["127.0.0.1"])
    assert first.created and first.reason == "new"
    ca_before = (tmp_path / "ca.crt").read_bytes()
    cert_before = (tmp_path / "server.crt").read_bytes()
    key_before = (tmp_path / "server.key").read_bytes()

    again = tls.ensure_server_cert(tmp_path, ["LOCALHOST."], ["127.0.0.1", "127.0.0.1"])
    assert not again.created and again.reason == "reused"
    assert not tls.ensure_ca(tmp_path).created
    assert (tmp_path / "ca.crt").read_bytes() == ca_before
    assert (tmp_path / "server.crt").read_bytes() == cert_before
    assert (tmp_path / "server.key").read_bytes() == key_before


def test_it_reissues_when_a_name_is_added(tmp_path: Path) -> None:
    tls.ensure_server_cert(tmp_path, ["localhost"], ["127.0.0.1"])
    ca_before = (tmp_path / "ca.crt").read_bytes()
    key_before = (tmp_path / "server.key").read_bytes()

    result = tls.ensure_server_cert(tmp_path, ["localhost", LAN_HOST], ["127.0.0.1"])
    assert result.created and result.reason == "names changed"
    assert (tmp_path / "ca.crt").read_bytes() == ca_before  # the tablets keep trusting it
    assert (tmp_path / "server.key").read_bytes() != key_before
    _verify(tmp_path, x509.DNSName(LAN_HOST))


def test_it_reissues_a_certificate_that_expires_within_30_days(tmp_path: Path) -> None:
    short = tls.ensure_server_cert(tmp_path, ["localhost"], ["127.0.0.1"], days=10)
    assert short.created
    leaf = _chain(tmp_path)[0]
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc == dt.timedelta(days=10)

    renewed = tls.ensure_server_cert(tmp_path, ["localhost"], ["127.0.0.1"])
    assert renewed.created and renewed.reason == "expires soon"
    assert _chain(tmp_path)[0].not_valid_after_utc - leaf.not_valid_after_utc > dt.timedelta(
        days=300
    )
    assert not tls.ensure_server_cert(tmp_path, ["localhost"], ["127.0.0.1"]).created


def test_it_reissues_when_the_ca_was_replaced(tmp_path: Path) -> None:
    tls.ensure_server_cert(tmp_path, ["localhost"], [])
    for name in ("ca.key", "ca.crt", "ca.der.crt"):
        (tmp_path / name).unlink()
    result = tls.ensure_server_cert(tmp_path, ["localhost"], [])
    assert result.created and result.reason == "issued by another CA"
    _verify(tmp_path, x509.DNSName("localhost"))


def test_it_refuses_overlong_validity_bad_names_and_a_ca_without_its_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="397"):
        tls.ensure_server_cert(tmp_path, ["localhost"], [], days=398)
    with pytest.raises(ValueError, match="IP"):
        tls.ensure_server_cert(tmp_path, ["localhost"], ["not-an-ip"])
    with pytest.raises(ValueError):
        tls.ensure_server_cert(tmp_path, [], [])
    tls.ensure_ca(tmp_path)
    (tmp_path / "ca.key").unlink()
    with pytest.raises(tls.TLSSetupError, match="missing"):
        tls.ensure_ca(tmp_path)


def test_it_lists_local_names_without_network_traffic() -> None:
    names, ips = tls.default_names()
    assert names[0] == "localhost" and socket.gethostname().lower() in names
    assert any(n.endswith(".local") for n in names)
    assert ips[:2] == ["127.0.0.1", "::1"]
    for ip in ips[2:]:
        address = ipaddress.ip_address(ip)
        assert address.version == 4 and not address.is_loopback


# --------------------------------------------------------------------------- a real handshake


def _serve_once(directory: Path) -> tuple[int, threading.Thread, list[BaseException]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.crt", directory / "server.key")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)
    errors: list[BaseException] = []

    def run() -> None:
        with listener:
            try:
                conn, _ = listener.accept()
            except OSError as exc:
                errors.append(exc)
                return
            with conn:
                conn.settimeout(5)
                try:
                    with context.wrap_socket(conn, server_side=True) as tls_conn:
                        tls_conn.sendall(b"hello tablet")
                except (ssl.SSLError, OSError) as exc:  # expected when the client rejects us
                    errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return listener.getsockname()[1], thread, errors


def _connect(port: int, context: ssl.SSLContext, server_hostname: str) -> bytes:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as conn,
    ):
        return conn.recv(100)


@pytest.mark.parametrize("server_hostname", ["localhost", "127.0.0.1"])
def test_it_completes_a_tls_handshake_with_a_client_that_trusts_only_the_ca(
    issued: Path, server_hostname: str
) -> None:
    port, thread, errors = _serve_once(issued)
    client = ssl.create_default_context(cafile=str(issued / "ca.crt"))  # only this CA
    assert client.check_hostname and client.verify_mode == ssl.CERT_REQUIRED
    assert _connect(port, client, server_hostname) == b"hello tablet"
    thread.join(5)
    assert not errors


def test_it_fails_the_handshake_for_a_client_that_does_not_trust_the_ca(
    issued: Path, tmp_path: Path
) -> None:
    # A client that trusts a different clinic CA (and nothing else) must refuse the server.
    tls.ensure_ca(tmp_path / "other")
    port, thread, _errors = _serve_once(issued)
    client = ssl.create_default_context(cafile=str(tmp_path / "other" / "ca.crt"))
    with pytest.raises(ssl.SSLCertVerificationError):
        _connect(port, client, "localhost")
    thread.join(5)


def test_it_fails_the_handshake_for_a_name_that_is_not_in_the_certificate(issued: Path) -> None:
    port, thread, _errors = _serve_once(issued)
    client = ssl.create_default_context(cafile=str(issued / "ca.crt"))
    with pytest.raises(ssl.SSLCertVerificationError):
        _connect(port, client, "intake.example.org")
    thread.join(5)


# --------------------------------------------------------------------------- the command


def test_it_make_certs_creates_then_reuses_and_prints_the_ca_fingerprint(tmp_path: Path) -> None:
    from django.core.management import call_command

    out = StringIO()
    args = ["--dir", str(tmp_path), "--host", LAN_HOST, "--ip", LAN_IP]
    call_command("make_certs", *args, stdout=out)
    text = out.getvalue()
    ca = _ca(tmp_path)
    ca_fp = ":".join(f"{b:02X}" for b in ca.fingerprint(hashes.SHA256()))
    assert "CA certificate created" in text and "Server certificate issued" in text
    assert ca_fp in text and str(tmp_path / "ca.der.crt") in text
    leaf = _chain(tmp_path)[0]
    dns, ips = tls._cert_names(leaf)
    assert dns == {"localhost", LAN_HOST}
    assert {str(ip) for ip in ips} == {"127.0.0.1", "::1", LAN_IP}

    out = StringIO()
    call_command("make_certs", *args, stdout=out)
    assert "CA certificate reused" in out.getvalue()
    assert "Server certificate reused" in out.getvalue()
    assert leaf.public_bytes(serialization.Encoding.DER) == _chain(tmp_path)[0].public_bytes(
        serialization.Encoding.DER
    )
