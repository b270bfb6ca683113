from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake import audit

BACKUP_CODES = 6


class Command(BaseCommand):
    help = (
        "Give a staff account a second factor for the admin site: an authenticator-app secret "
        "(shown as a QR code and a link) and single-use backup codes. Replaces earlier ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--no-qr", action="store_true", help="print the link only")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no account named {options['username']!r}") from None
        if not user.is_staff:
            raise CommandError(f"{user.username} is not staff: only admins use the admin site")
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            totp = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)
            backup = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
            codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
            for code in codes:
                backup.token_set.create(token=code)
            audit.record("user.second_factor_enrolled", detail={"user_id": user.pk})
        url = totp.config_url
        self.stdout.write(f"Scan this with the authenticator app of {user.username}:")
        if not options["no_qr"]:
            qr = io.StringIO()
            segno.make(url, error="m").terminal(out=qr, compact=True)
            self.stdout.write(qr.getvalue())
        self.stdout.write(url)
        self.stdout.write("Backup codes (each works once; print them and keep them locked away):")
        self.stdout.write("  " + "  ".join(codes))
