"""Typed readers for settings that come from the environment.

Every reader fails loudly (ImproperlyConfigured naming the variable) instead of silently falling
back when a value is present but malformed: a typo in IT's .env must stop the server, not run it
with a default nobody chose. Any variable X may instead be given as a file path in X_FILE (Docker
secrets), so secrets never need to sit in the environment or the compose file.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str) -> str | None:
    """The value of `name`, or the stripped contents of the file named by `name`_FILE."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={file_name} cannot be read: {e}") from e
    return value


def env_str(name: str, default: str) -> str:
    value = raw(name)
    return default if value is None else value


def env_required(name: str, why: str) -> str:
    value = raw(name)
    if not value:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set: {why}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[IPNetwork]:
    networks: list[IPNetwork] = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as e:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an address or network ({e})"
            ) from e
    return networks


def env_path(name: str, default: Path, *, base: Path) -> Path:
    """A path; relative values are taken relative to `base` (the project root) so that the
    same .env works whatever directory the server was started from."""
    value = raw(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else (base / path)


def env_optional_path(name: str, *, base: Path) -> Path | None:
    value = raw(name)
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (base / path)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}.")
    return value


def env_timezone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time zone name (e.g. Europe/Berlin, America/Chicago)."
        ) from None
    return value


def redis_db_url(url: str, db: int) -> str:
    """`url` with its database number replaced by `db` (the broker and the channel layer each
    get their own database on the same server)."""
    base = url.rstrip("/")
    head, _, tail = base.rpartition("/")
    if tail.isdigit() and head.count("/") >= 2:
        base = head
    return f"{base}/{db}"


def redis_with_password(url: str, password: str | None) -> str:
    """`url` carrying `password` (REDIS_PASSWORD or its _FILE: never written into the URL in a
    settings file). A URL that already has credentials is left as it is."""
    if not password:
        return url
    parts = urlsplit(url)
    if parts.username or parts.password:
        return url
    netloc = f":{quote(password, safe='')}@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


def channel_host(url: str) -> dict[str, object]:
    """A channels_redis host with no read timeout: redis-py 8 defaults to 5 s, which is exactly
    channels_redis' blocking wait for the next message, so idle WebSockets died every 5 s."""
    return {"address": url, "socket_timeout": None}
