from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from intake.env import env_networks
from intake.models import AuditEvent, Patient, Visit, WorkerHeartbeat
from intake.states import VisitStatus
from tests.conftest import PASSWORD, logged_in

PUBLIC = {"/login/", "/login/pin/", "/healthz"}


def all_paths() -> list[str]:
    """Every parameterless URL the project serves (admin included)."""
    paths: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if "<" in route or route.startswith("^"):
                continue
            if isinstance(p, URLResolver):
                if route.startswith("admin/"):
                    paths.append("/" + prefix + route)
                    continue
                walk(p.url_patterns, prefix + route)
            else:
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return paths


@pytest.mark.django_db
def test_it_requires_login_everywhere_but_login_and_healthz(client: Client) -> None:
    paths = all_paths()
    assert "/queue/" in paths and "/front-desk/" in paths
    for path in paths:
        if path in PUBLIC:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path


@pytest.mark.django_db
def test_it_logs_in_and_audits(client: Client, nurse: User) -> None:
    response = client.post(reverse("login"), {"username": "nurse1", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=nurse).exists()
    client.post(reverse("login"), {"username": "nurse1", "password": "wrong"})
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.detail == {"username": "nurse1"}


@pytest.mark.django_db
def test_it_sends_each_role_home(nurse: User, front_desk: User) -> None:
    assert logged_in(nurse).get("/")["Location"] == reverse("queue")
    assert logged_in(front_desk).get("/")["Location"] == reverse("front_desk")


@pytest.mark.django_db
def test_it_keeps_front_desk_out_of_the_queue(front_desk: User) -> None:
    assert logged_in(front_desk).get(reverse("queue")).status_code == 403


@pytest.mark.django_db
def test_it_keeps_it_admins_out_of_clinical_pages(it_admin: User) -> None:
    client = logged_in(it_admin)
    assert client.get(reverse("queue")).status_code == 403
    assert client.get(reverse("front_desk")).status_code == 403
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_it_shows_the_queue_to_nurses(nurse: User) -> None:
    response = logged_in(nurse).get(reverse("queue"))
    assert response.status_code == 200
    assert b'data-ws-path="/ws/queue/"' in response.content


@pytest.mark.django_db
def test_it_opens_only_open_visits_on_tablets_and_every_visit_for_nurses(
    nurse: User, front_desk: User
) -> None:
    patient = Patient.objects.create(name="Ada Example", date_of_birth="1980-02-03")
    ended = Visit.objects.create(patient=patient, status=VisitStatus.DISCHARGED.value)
    tablet = logged_in(front_desk)
    assert tablet.get(reverse("intake_visit", args=[ended.pk])).status_code == 404
    discard = reverse("intake_recording_discard", args=[ended.pk, 0])
    assert tablet.post(discard).status_code == 404  # the upload endpoints look up alike
    nurse_client = logged_in(nurse)
    assert nurse_client.get(reverse("visit", args=[ended.pk])).status_code == 200
    assert nurse_client.get(reverse("visit", args=[ended.pk + 1])).status_code == 404


@pytest.mark.django_db
def test_it_answers_htmx_with_a_fragment_and_a_browser_with_a_page(nurse: User) -> None:
    patient = Patient.objects.create(name="Ada Example", date_of_birth="1980-02-03")
    visit = Visit.objects.create(patient=patient, status=VisitStatus.READY.value, urgent=True)
    client = logged_in(nurse)
    ack = reverse("visit_ack", args=[visit.pk])
    assert client.post(ack, headers={"HX-Request": "true"}).status_code == 204
    assert client.post(ack).status_code == 302


@pytest.mark.django_db
def test_it_sends_a_strict_csp(client: Client) -> None:
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    # No inline script in our own page either (the CSP would block it anyway).
    assert b"<script>" not in response.content


def test_it_references_only_vendored_assets() -> None:
    root = Path(__file__).resolve().parent.parent / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert "http://" not in text and "https://" not in text, template


@pytest.mark.django_db
def test_it_redirects_http_to_the_https_port(client: Client, settings: SettingsWrapper) -> None:
    settings.HTTPS_PORT = 8443
    response = client.get("/login/?next=/queue/", HTTP_HOST="intake.lan:8000")
    assert response.status_code == 301
    assert response["Location"] == "https://intake.lan:8443/login/?next=/queue/"
    # Health probes stay on plain HTTP.
    assert client.get("/healthz", HTTP_HOST="intake.lan:8000").status_code in (200, 503)
    # Already secure: served.
    assert client.get("/login/", secure=True).status_code == 200


def fresh_heartbeats() -> None:
    now = timezone.now()
    for node, queues in (
        ("asr@t", "asr"),
        ("llm@t", "llm"),
        ("default@t", "default"),
        ("beat@t", "beat"),
    ):
        WorkerHeartbeat.objects.create(
            hostname=node, queues=queues, pid=1, started_at=now, last_seen=now
        )


@pytest.fixture
def model_files(settings: SettingsWrapper, tmp_path: Path) -> None:
    for name in ("asr.bin", "llm.gguf"):
        (tmp_path / name).write_bytes(b"x")
    settings.ASR_MODEL_PATH = tmp_path / "asr.bin"
    settings.LLM_MODEL_PATH = tmp_path / "llm.gguf"
    settings.MEDIA_ROOT = tmp_path
    settings.MIN_FREE_DISK_MB = 1


@pytest.mark.django_db
def test_it_reports_healthy(client: Client, model_files: None) -> None:
    fresh_heartbeats()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "workers", "models", "disk"}
    assert body["checks"]["redis"]["detail"]["queued"] == {"asr": 0, "llm": 0, "default": 0}


@pytest.mark.django_db
def test_it_reports_a_missing_worker(client: Client, model_files: None) -> None:
    fresh_heartbeats()
    WorkerHeartbeat.objects.filter(queues="llm").update(
        last_seen=timezone.now() - timedelta(minutes=10)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["error"] == "no live worker for: llm"


@pytest.mark.django_db
def test_it_reports_a_missing_model(
    client: Client, model_files: None, settings: SettingsWrapper
) -> None:
    fresh_heartbeats()
    settings.LLM_MODEL_PATH = Path("/nonexistent/model.gguf")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["models"]["error"] == "model file missing: llm"


@pytest.mark.django_db
def test_it_reports_low_disk(client: Client, model_files: None, settings: SettingsWrapper) -> None:
    fresh_heartbeats()
    settings.MIN_FREE_DISK_MB = 10**12
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "MB free" in response.json()["checks"]["disk"]["error"]


@pytest.mark.django_db
def test_it_reports_unreachable_redis(
    client: Client, model_files: None, settings: SettingsWrapper
) -> None:
    fresh_heartbeats()
    settings.REDIS_URL = "redis://127.0.0.1:1"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "redis" in response.json()["checks"]["redis"]["error"]


@pytest.mark.django_db
def test_it_tells_lan_callers_only_the_status(
    client: Client, model_files: None, settings: SettingsWrapper
) -> None:
    fresh_heartbeats()
    settings.LLM_MODEL_PATH = Path("/nonexistent/model.gguf")
    response = client.get("/healthz", REMOTE_ADDR="192.168.1.40")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "failing": ["models"]}
    assert "model.gguf" not in response.content.decode()


@pytest.mark.django_db
def test_it_tells_an_admin_on_the_lan_the_details(
    client: Client, model_files: None, admin_user: User
) -> None:
    fresh_heartbeats()
    client.force_login(admin_user)
    body = client.get("/healthz", REMOTE_ADDR="192.168.1.40").json()
    assert body["checks"]["workers"]["detail"]["asr"]["alive"] == 1


@pytest.mark.django_db
def test_it_tells_a_nurse_on_the_lan_only_the_status(
    client: Client, model_files: None, nurse: User
) -> None:
    fresh_heartbeats()
    client.force_login(nurse)
    body = client.get("/healthz", REMOTE_ADDR="192.168.1.40").json()
    assert body == {"status": "ok", "failing": []}


def test_it_refuses_a_malformed_detail_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHZ_DETAIL_NETWORKS", "10.0.0.0/8,intranet")
    with pytest.raises(ImproperlyConfigured, match="HEALTHZ_DETAIL_NETWORKS"):
        env_networks("HEALTHZ_DETAIL_NETWORKS", [])
