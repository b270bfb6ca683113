"""Settings come from the environment; bad values and a half-configured prod stop the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from intake import env

ROOT = Path(__file__).resolve().parent.parent


def run_django(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INTAKE_", "SECRET_", "DATABASE_", "MEDIA_", "ALLOWED_HOSTS", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def prod_env(tmp_path: Path) -> dict[str, str]:
    key = tmp_path / "media.key"
    key.write_text("k1:" + "A" * 43 + "=\n")
    secret = tmp_path / "secret"
    secret.write_text("s" * 30 + "-production-secret-key-for-the-test-run")
    return {
        "INTAKE_ENV": "prod",
        "SECRET_KEY_FILE": str(secret),
        "DATABASE_URL": "postgres://intake@127.0.0.1:5432/clinic_intake",
        "MEDIA_ENCRYPTION_KEY_FILE": str(key),
        "ALLOWED_HOSTS": "intake.clinic.lan",
    }


def test_it_reads_booleans_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_it_rejects_non_integers_and_too_small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("X_NUM", 1, minimum=1)


def test_it_reads_secrets_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("hunter2-from-file\n")
    monkeypatch.delenv("X_PW", raising=False)
    monkeypatch.setenv("X_PW_FILE", str(secret))
    assert env.env_str("X_PW", "") == "hunter2-from-file"
    monkeypatch.setenv("X_PW", "also-set")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env.env_str("X_PW", "")
    monkeypatch.delenv("X_PW")
    monkeypatch.setenv("X_PW_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_str("X_PW", "")


def test_it_validates_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_TZ", "Mars/Olympus_Mons")
    with pytest.raises(ImproperlyConfigured, match="time zone"):
        env.env_timezone("X_TZ", "UTC")
    monkeypatch.setenv("X_TZ", "America/Chicago")
    assert env.env_timezone("X_TZ", "UTC") == "America/Chicago"


def test_it_refuses_prod_without_secret_key(tmp_path: Path) -> None:
    extra = prod_env(tmp_path)
    del extra["SECRET_KEY_FILE"]
    result = run_django(extra, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_prod_without_media_key(tmp_path: Path) -> None:
    extra = prod_env(tmp_path)
    del extra["MEDIA_ENCRYPTION_KEY_FILE"]
    result = run_django(extra, "check")
    assert result.returncode != 0
    assert "MEDIA_ENCRYPTION_KEY_FILE" in result.stderr


def test_it_refuses_prod_without_database_url(tmp_path: Path) -> None:
    extra = prod_env(tmp_path)
    del extra["DATABASE_URL"]
    result = run_django(extra, "check")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_refuses_debug_in_prod(tmp_path: Path) -> None:
    result = run_django({**prod_env(tmp_path), "DEBUG": "1"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_it_passes_deploy_checks_in_prod(tmp_path: Path) -> None:
    result = run_django(prod_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_it_fails_deploy_checks_in_dev() -> None:
    # The control for the test above: dev really is weaker, so that test can fail.
    result = run_django({"INTAKE_ENV": "dev"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0


def test_it_puts_the_redis_password_into_the_url() -> None:
    assert env.redis_with_password("redis://redis:6379", None) == "redis://redis:6379"
    assert env.redis_with_password("redis://redis:6379", "a/b:c@d") == (
        "redis://:a%2Fb%3Ac%40d@redis:6379"
    )
    # Credentials already in the URL win; the broker and channel databases keep the password.
    assert env.redis_with_password("redis://:x@redis:6379", "y") == "redis://:x@redis:6379"
    assert env.redis_db_url("redis://:pw@redis:6379", 1) == "redis://:pw@redis:6379/1"
