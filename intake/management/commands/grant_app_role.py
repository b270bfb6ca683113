from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg import sql

from intake.models import AuditEvent

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str, database: str, audit_table: str) -> list[sql.Composed]:
    """What the app's login role may do: read and write every table, except the audit trail,
    which it may only read and append to. No DDL, no TRUNCATE, no superuser rights."""
    who = sql.Identifier(role)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            who
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
            sql.Identifier(audit_table), who
        ),
    ]


class Command(BaseCommand):
    help = (
        "Create or update the database role the app runs as (run as the owner, after "
        "migrate): it may read and write patient tables but only append to the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="login role for web, workers and beat, e.g. intake_app")
        parser.add_argument(
            "--password-file", type=Path, help="set the role's password from this file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if not ROLE_NAME.match(role):
            raise CommandError(f"{role!r}: use lower-case letters, digits and _ only")
        if role == connection.settings_dict["USER"]:
            raise CommandError(f"{role!r} is the role this command connects as (the owner)")
        password = None
        if options["password_file"] is not None:
            try:
                password = options["password_file"].read_text().strip()
            except OSError as e:
                raise CommandError(f"cannot read the password file: {e}") from e
            if not password:
                raise CommandError(f"{options['password_file']} is empty")
        who = sql.Identifier(role)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            verb = sql.SQL("ALTER" if cursor.fetchone() else "CREATE")
            cursor.execute(
                sql.SQL(
                    "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS"
                ).format(verb, who)
            )
            if password is not None:
                cursor.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(who, sql.Literal(password))
                )
            for statement in grant_statements(
                role, connection.settings_dict["NAME"], AuditEvent._meta.db_table
            ):
                cursor.execute(statement)
        self.stdout.write(f"role {role}: read/write on app tables, append-only on the audit trail")
