from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql
from psycopg.conninfo import make_conninfo


class Command(BaseCommand):
    help = "Create the configured database if it does not exist (dev and first installs)."

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        params: dict[str, Any] = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            # The maintenance database always exists.
            "dbname": "postgres",
            "connect_timeout": 5,
        }
        try:
            conninfo = make_conninfo("", **{k: v for k, v in params.items() if v})
            with psycopg.connect(conninfo, autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (db["NAME"],)
                ).fetchone()
                if exists:
                    self.stdout.write(f"database {db['NAME']} exists")
                    return
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                self.stdout.write(self.style.SUCCESS(f"created database {db['NAME']}"))
        except psycopg.OperationalError as e:
            raise CommandError(
                f"cannot reach PostgreSQL at {params['host']}:{params['port']}: {e}".strip()
            ) from e
