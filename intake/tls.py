"""Clinic-local certificate authority for the intake server.

Browsers only allow microphone capture on secure origins (HTTPS or localhost), so the tablets
on the clinic LAN must reach the server over TLS. There is no public CA involved: the server
creates its own small CA once, IT installs ``ca.der.crt`` on each tablet, and the server
certificate signed by that CA is renewed in place.

Files in the TLS directory:

``ca.key``        CA private key (0600). Whoever holds it can mint certificates the tablets
                  trust: keep it on the server and in the encrypted backup only.
``ca.crt``        CA certificate (PEM).
``ca.der.crt``    The same certificate in DER form, which iPadOS and Android import directly.
``server.key``    TLS server private key (0600).
``server.crt``    Server certificate followed by the CA certificate (PEM chain).

Plain Python on purpose (no Django imports): the ``make_certs`` management command and the
tests both use it. Nothing here touches the network; :func:`default_names` only asks the
local resolver and the kernel's routing table.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inference.files import atomic_write

__all__ = [
    "CA_CERT",
    "CA_DER",
    "CA_KEY",
    "MAX_SERVER_DAYS",
    "RENEW_BEFORE",
    "SERVER_CERT",
    "SERVER_KEY",
    "CertPaths",
    "TLSSetupError",
    "default_names",
    "describe",
    "ensure_ca",
    "ensure_server_cert",
    "fingerprint",
]

CA_KEY: Final = "ca.key"
CA_CERT: Final = "ca.crt"
CA_DER: Final = "ca.der.crt"
SERVER_KEY: Final = "server.key"
SERVER_CERT: Final = "server.crt"

#: Apple rejects TLS server certificates valid for longer than 398 days; stay one day under.
MAX_SERVER_DAYS: Final = 397
#: An existing server certificate is replaced when it expires within this window.
RENEW_BEFORE: Final = dt.timedelta(days=30)
#: Certificates start a little in the past so a tablet whose clock runs slow still accepts them.
_BACKDATE: Final = dt.timedelta(hours=1)
_SIGNATURE_HASH: Final = hashes.SHA256()

SigningKey: TypeAlias = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class TLSSetupError(RuntimeError):
    """The TLS directory is in a state this module will not repair on its own."""


@dataclass(frozen=True)
class CertPaths:
    """Where a key/certificate pair lives and what :func:`ensure_ca` or
    :func:`ensure_server_cert` did with it."""

    cert: Path
    key: Path
    #: DER copy of the certificate (only for the CA).
    der: Path | None = None
    #: True when the certificate was (re)issued by this call, False when it was reused.
    created: bool = False
    #: Short human-readable reason, e.g. "new", "reused", "names changed".
    reason: str = ""


# --------------------------------------------------------------------------- helpers


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _tighten(path: Path, mode: int = 0o600) -> None:
    """Make an existing key file private again if someone loosened its permissions."""
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:  # not the owner (e.g. a read-only mount): leave it, nothing to gain
        pass


def _new_key() -> ec.EllipticCurvePrivateKey:
    # P-256: accepted by every browser and tablet, and fast enough for the tests.
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: SigningKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_key(path: Path) -> SigningKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise TLSSetupError(f"{path}: unsupported key type {type(key).__name__}")
    return key


def _spki(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return b""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _load_certs(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _short_name(value: str, limit: int = 64) -> str:
    """X.509 limits commonName to 64 characters."""
    return value if len(value) <= limit else value[: limit - 1] + "~"


def _normalise_hostnames(hostnames: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in hostnames:
        name = raw.strip().rstrip(".").lower()
        if not name:
            continue
        if not name.isascii():
            name = name.encode("idna").decode("ascii")
        if any(c.isspace() or c in "/:@" for c in name):
            raise ValueError(f"not a host name: {raw!r}")
        if name not in out:
            out.append(name)
    return out


def _normalise_ips(
    ips: Iterable[str],
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    out: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for raw in ips:
        if not raw.strip():
            continue
        try:
            ip = ipaddress.ip_address(raw.strip())
        except ValueError:
            raise ValueError(f"not an IP address: {raw!r}") from None
        if ip not in out:
            out.append(ip)
    return out


def _cert_names(
    cert: x509.Certificate,
) -> tuple[set[str], set[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    dns = {name.lower() for name in san.get_values_for_type(x509.DNSName)}
    ips: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for ip in san.get_values_for_type(x509.IPAddress):
        if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
            ips.add(ip)
    return dns, ips


# --------------------------------------------------------------------------- the CA


def ensure_ca(directory: Path, org: str = "Clinic Intake local CA", days: int = 3650) -> CertPaths:
    """Create the clinic CA in ``directory`` unless it is already there.

    An existing CA is always reused: the tablets trust exactly that certificate, and replacing
    it silently would break every tablet. ``ca.der.crt`` is (re)written from ``ca.crt`` when
    missing. A CA certificate without its key is an error (delete both to start over, then
    reinstall the new CA on every tablet).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path, cert_path, der_path = directory / CA_KEY, directory / CA_CERT, directory / CA_DER

    if cert_path.exists():
        if not key_path.exists():
            raise TLSSetupError(
                f"{cert_path} exists but {key_path} is missing; restore the key from the "
                "backup, or delete the CA files and reinstall the new CA on every tablet"
            )
        _tighten(key_path)
        ca_cert = _load_certs(cert_path)[0]
        if _spki(ca_cert.public_key()) != _spki(_load_key(key_path).public_key()):
            raise TLSSetupError(f"{key_path} does not belong to {cert_path}")
        if not der_path.exists():
            atomic_write(der_path, ca_cert.public_bytes(serialization.Encoding.DER), mode=0o644)
        return CertPaths(cert=cert_path, key=key_path, der=der_path, reason="reused")

    if key_path.exists():
        # The certificate was lost but the key survived (e.g. a partial restore): issue a new
        # self-signed certificate for the same key rather than throwing the key away.
        key = _load_key(key_path)
        _tighten(key_path)
        reason = "new certificate for existing key"
    else:
        key = _new_key()
        atomic_write(key_path, _key_pem(key), mode=0o600)
        reason = "new"

    now = _now()
    # A unique common name, so a tablet that ever holds two clinic CAs can tell them apart.
    common_name = _short_name(f"{org} {now:%Y-%m-%d} {secrets.token_hex(2)}")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _short_name(org)),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now - _BACKDATE + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, _SIGNATURE_HASH)
    )
    atomic_write(der_path, ca_cert.public_bytes(serialization.Encoding.DER), mode=0o644)
    atomic_write(cert_path, ca_cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return CertPaths(cert=cert_path, key=key_path, der=der_path, created=True, reason=reason)


# --------------------------------------------------------------------------- the server


def _reuse_problem(
    directory: Path,
    ca_cert: x509.Certificate,
    dns: Sequence[str],
    ips: Sequence[ipaddress.IPv4Address | ipaddress.IPv6Address],
) -> str:
    """Why the existing server certificate cannot be reused ("" when it can)."""
    key_path, cert_path = directory / SERVER_KEY, directory / SERVER_CERT
    if not (key_path.exists() and cert_path.exists()):
        return "new"
    try:
        chain = _load_certs(cert_path)
        key = _load_key(key_path)
    except (ValueError, TypeError, TLSSetupError):
        return "unreadable"
    leaf = chain[0]
    if _spki(leaf.public_key()) != _spki(key.public_key()):
        return "key does not match"
    try:
        leaf.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return "issued by another CA"
    if _cert_names(leaf) != (set(dns), set(ips)):
        return "names changed"
    if leaf.not_valid_after_utc - _now() < RENEW_BEFORE:
        return "expires soon"
    if len(chain) < 2 or chain[1] != ca_cert:
        return "chain incomplete"
    return ""


def ensure_server_cert(
    directory: Path,
    hostnames: Sequence[str],
    ips: Sequence[str],
    days: int = MAX_SERVER_DAYS,
) -> CertPaths:
    """Issue (or reuse) the TLS server certificate signed by the CA in ``directory``.

    The CA is created first if it does not exist yet. The existing ``server.crt`` is kept
    unless its names differ from ``hostnames`` + ``ips``, it expires within 30 days, it was
    signed by a different CA or it does not match ``server.key``.
    """
    if not 1 <= days <= MAX_SERVER_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_SERVER_DAYS} (Apple's limit)")
    dns = _normalise_hostnames(hostnames)
    ip_list = _normalise_ips(ips)
    if not dns and not ip_list:
        raise ValueError("at least one host name or IP address is needed")

    directory = Path(directory)
    ca_paths = ensure_ca(directory)
    ca_cert = _load_certs(ca_paths.cert)[0]
    ca_key = _load_key(ca_paths.key)
    key_path, cert_path = directory / SERVER_KEY, directory / SERVER_CERT

    problem = _reuse_problem(directory, ca_cert, dns, ip_list)
    if not problem:
        _tighten(key_path)
        return CertPaths(cert=cert_path, key=key_path, reason="reused")

    key = _new_key()
    now = _now()
    not_before = now - _BACKDATE
    not_after = min(not_before + dt.timedelta(days=days), ca_cert.not_valid_after_utc)
    common_name = dns[0] if dns else str(ip_list[0])
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _short_name(common_name))])
    general_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns]
    general_names += [x509.IPAddress(ip) for ip in ip_list]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _short_name(common_name))])
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(general_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, _SIGNATURE_HASH)
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(
        serialization.Encoding.PEM
    )
    # Key first: if we are interrupted in between, the key/cert mismatch triggers a reissue.
    atomic_write(key_path, _key_pem(key), mode=0o600)
    atomic_write(cert_path, chain, mode=0o644)
    return CertPaths(cert=cert_path, key=key_path, created=True, reason=problem)


# --------------------------------------------------------------------------- names, description


def _local_ipv4_addresses() -> list[str]:
    """Non-loopback IPv4 addresses of this machine, found without sending any packet."""
    found: list[str] = []

    def add(value: object) -> None:
        try:
            ip = ipaddress.ip_address(str(value))
        except ValueError:
            return
        if (
            isinstance(ip, ipaddress.IPv4Address)
            and not (ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast)
            and str(ip) not in found
        ):
            found.append(str(ip))

    # 1. What the resolver (/etc/hosts, mDNS, DNS) says about our own name.
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            add(info[4][0])
    except OSError:
        pass
    # 2. The source address the kernel would use towards private networks. connect() on a UDP
    #    socket only consults the routing table; nothing is transmitted.
    for probe in ("10.255.255.255", "172.31.255.255", "192.168.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 9))
                add(sock.getsockname()[0])
        except OSError:
            continue
    return found


def default_names() -> tuple[list[str], list[str]]:
    """Host names and IP addresses the server is likely reached by on the clinic LAN."""
    hostname = socket.gethostname().strip().rstrip(".").lower()
    short = hostname.split(".", 1)[0]
    names = ["localhost"]
    for candidate in (hostname, short, f"{short}.local" if short else ""):
        if candidate and candidate not in names:
            names.append(candidate)
    ips = ["127.0.0.1", "::1", *_local_ipv4_addresses()]
    return names, ips


def fingerprint(cert: x509.Certificate, algorithm: hashes.HashAlgorithm | None = None) -> str:
    """Colon-separated upper-case hex fingerprint, as tablets display it."""
    digest = cert.fingerprint(algorithm or hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def describe(cert_path: Path) -> str:
    """A short multi-line description of the first certificate in ``cert_path`` (PEM or DER)."""
    cert = _load_certs(Path(cert_path))[0]
    dns, ips = _cert_names(cert)
    sans = [f"DNS:{n}" for n in sorted(dns)] + [f"IP:{ip}" for ip in sorted(ips, key=str)]
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    expires = cert.not_valid_after_utc
    days_left = (expires - _now()).days
    lines = [
        f"Subject:   {cert.subject.rfc4514_string()}",
        f"Issuer:    {cert.issuer.rfc4514_string()}",
        f"CA:        {'yes' if is_ca else 'no'}",
        f"SANs:      {', '.join(sans) if sans else '(none)'}",
        f"Valid:     {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        f" to {expires:%Y-%m-%d %H:%M} UTC ({days_left} days left)",
        f"SHA-256:   {fingerprint(cert)}",
        # Only for matching what older tablet screens show; SHA-1 is not used for trust here.
        f"SHA-1:     {fingerprint(cert, hashes.SHA1())}",  # noqa: S303
    ]
    return "\n".join(lines)
