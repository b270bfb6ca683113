"""`manage.py make_certs`: create the clinic CA and the HTTPS server certificate.

All the work lives in intake.tls (plain Python); this command picks the directory and the
names and tells IT what to do next. It needs no database, so it also runs in the one-shot
`certs` compose service, which has no network at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake import tls


class Command(BaseCommand):
    help = (
        "Create (or reuse) the clinic-local CA and the TLS server certificate. Without --host/"
        "--ip the certificate names this machine (host name, host name.local, its LAN IPv4 "
        "addresses); with them it names exactly those plus localhost/127.0.0.1/::1."
    )
    # Certificates need neither the database nor the model checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, default=None, help="default: settings.TLS_DIR (var/tls)"
        )
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            metavar="NAME",
            help="DNS name the tablets use, e.g. intake.clinic.lan (repeatable)",
        )
        parser.add_argument(
            "--ip",
            action="append",
            default=[],
            metavar="IP",
            help="LAN IP address the tablets use, e.g. 192.168.1.20 (repeatable)",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=tls.MAX_SERVER_DAYS,
            help=f"server certificate validity in days (at most {tls.MAX_SERVER_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or getattr(settings, "TLS_DIR", Path("var/tls")))
        hosts: list[str] = options["host"]
        ips: list[str] = options["ip"]
        if hosts or ips:
            hostnames = ["localhost", *hosts]
            addresses = ["127.0.0.1", "::1", *ips]
        else:
            hostnames, addresses = tls.default_names()

        try:
            ca = tls.ensure_ca(directory)
            server = tls.ensure_server_cert(directory, hostnames, addresses, days=options["days"])
        except (ValueError, tls.TLSSetupError) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot write certificates to {directory}: {exc}") from exc

        out = self.stdout
        ca_state = f"created ({ca.reason})" if ca.created else "reused"
        server_state = f"issued ({server.reason})" if server.created else "reused"
        out.write(self.style.SUCCESS(f"CA certificate {ca_state}: {ca.cert}"))
        out.write(f"  CA key (keep private, back it up): {ca.key}")
        out.write(tls.describe(ca.cert))
        out.write("")
        out.write(self.style.SUCCESS(f"Server certificate {server_state}: {server.cert}"))
        out.write(f"  server key: {server.key}")
        out.write(tls.describe(server.cert))
        out.write("")
        out.write(
            f"Install {ca.der} on every tablet (docs/DEPLOY.md, 'Trust the clinic CA'), then "
            "check that the SHA-256 fingerprint the tablet shows matches the CA fingerprint "
            "above."
        )
        if server.created:
            out.write("Restart the TLS proxy so it loads the new certificate.")
