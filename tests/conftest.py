"""Shared fixtures. Tests talk to the real PostgreSQL and Redis (see `make services`).

Redis: the tests use their own database numbers so a running `make run` on the same Redis is
not disturbed. Between tests the channel-layer database is flushed (group memberships survive
across runs otherwise) and the broker's queues are purged - but the broker database is never
flushed, because Kombu keeps its routing bindings there and flushing them makes later messages
vanish.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from intake import egress
from intake.celery import app as celery_app
from intake.env import channel_host, redis_db_url
from intake.mediastore.crypto import generate_key_file
from intake.mediastore.django import reset_store
from intake.roles import Role

# No test, worker, server or tool started by a test may reach beyond this machine: the guard
# is installed here and, through the environment, in every process the tests start (the
# settings read it). Refused attempts land in this file, checked when the session ends.
EGRESS_LOG = Path(tempfile.gettempdir()) / f"intake-egress-{os.getpid()}.log"
EGRESS_LOG.unlink(missing_ok=True)
os.environ["INTAKE_EGRESS_GUARD"] = "1"
os.environ["INTAKE_EGRESS_LOG"] = str(EGRESS_LOG)
egress.install(EGRESS_LOG)

# Overridable so that two test runs can share one Redis (e.g. two checkouts on one machine).
TEST_BROKER_DB = int(os.environ.get("TEST_REDIS_BROKER_DB", "10"))
TEST_CHANNELS_DB = int(os.environ.get("TEST_REDIS_CHANNELS_DB", "11"))
QUEUES = ("asr", "llm", "default")

settings.REDIS_BROKER_DB = TEST_BROKER_DB
settings.REDIS_CHANNELS_DB = TEST_CHANNELS_DB
settings.CELERY_BROKER_URL = redis_db_url(settings.REDIS_URL, TEST_BROKER_DB)
settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [  # type: ignore[index]
    channel_host(redis_db_url(settings.REDIS_URL, TEST_CHANNELS_DB))
]
celery_app.conf.broker_url = settings.CELERY_BROKER_URL  # type: ignore[misc]

PASSWORD = "correct-horse-battery"


def subprocess_env() -> dict[str, str]:
    """Environment for subprocesses (workers, manage.py) that must use the test databases."""
    db = settings.DATABASES["default"]
    return {
        "REDIS_BROKER_DB": str(TEST_BROKER_DB),
        "REDIS_CHANNELS_DB": str(TEST_CHANNELS_DB),
        "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"),
    }


@pytest.fixture(scope="session", autouse=True)
def _no_egress() -> Iterator[None]:
    yield
    attempts = EGRESS_LOG.read_text() if EGRESS_LOG.exists() else ""
    EGRESS_LOG.unlink(missing_ok=True)
    if attempts:
        pytest.fail(f"something tried to reach beyond this machine:\n{attempts}")


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    channels = redis.Redis.from_url(redis_db_url(settings.REDIS_URL, TEST_CHANNELS_DB))
    broker = redis.Redis.from_url(redis_db_url(settings.REDIS_URL, TEST_BROKER_DB))
    channels.flushdb()
    broker.delete(*QUEUES)
    cache.clear()  # the queue's rendered rows (keyed by the generation in the flushed DB)
    yield
    channels.close()
    broker.close()


def make_user(username: str, *roles: Role, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    for role in roles:
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    return user


@pytest.fixture
def nurse(db: None) -> User:
    return make_user("nurse1", Role.NURSE)


@pytest.fixture
def front_desk(db: None) -> User:
    return make_user("desk1", Role.FRONT_DESK)


@pytest.fixture
def it_admin(db: None) -> User:
    return make_user("it1", Role.ADMIN, is_staff=True)


def logged_in(user: User) -> Client:
    """A test client with `user`'s session (the password every test user gets)."""
    client = Client()
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def media(tmp_path: Path, settings: SettingsWrapper) -> Iterator[Path]:
    """A fresh encrypted media store under tmp_path for this test; yields its root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ENCRYPTION_KEY_FILE = tmp_path / "media.key"
    generate_key_file(settings.MEDIA_ENCRYPTION_KEY_FILE)
    reset_store()
    yield settings.MEDIA_ROOT
    reset_store()
