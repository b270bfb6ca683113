from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.roles import ALL_ROLES, Role

DEMO_USERS = {"frontdesk": Role.FRONT_DESK, "nurse": Role.NURSE, "admin": Role.ADMIN}


def ensure_groups() -> None:
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role.value)


class Command(BaseCommand):
    help = (
        "Create the role groups and one demo user per role (dev only), printing their "
        "passwords. Existing demo users get a new password each run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", help="use this password for all demo users (tests); default random"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.INTAKE_ENV != "dev":
            raise CommandError("Demo users are for INTAKE_ENV=dev only; create real accounts.")
        ensure_groups()
        for username, role in DEMO_USERS.items():
            password = options["password"] or secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = role is Role.ADMIN
            user.is_superuser = role is Role.ADMIN
            user.save()
            user.groups.set([Group.objects.get(name=role.value)])
            self.stdout.write(f"  {role.value:<11} user {username:<10} password {password}")
