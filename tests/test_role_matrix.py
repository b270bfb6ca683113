"""Every URL pattern, crawled anonymously and as each role, against the role matrix that
docs/SECURITY.md documents. A new URL fails here until it is added to the matrix."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from intake.models import Recording
from intake.roles import Role
from tests.conftest import logged_in, make_user
from tests.factories import add_photo, consenting_visit

FD, NURSE, ADMIN = Role.FRONT_DESK.value, Role.NURSE.value, Role.ADMIN.value
ANYONE = "anyone"  # no login needed
SIGNED_IN = "signed_in"  # any logged-in account

# URL name -> who may use it. Same table as docs/SECURITY.md ("Role matrix").
MATRIX: dict[str, set[str]] = {
    "home": {SIGNED_IN},
    "healthz": {ANYONE},
    "login": {ANYONE},
    "logout": {SIGNED_IN},
    "password_change": {SIGNED_IN},
    "session_ping": {SIGNED_IN},
    "login_pin": {ANYONE},
    "account_pin": {SIGNED_IN},
    "front_desk": {FD},
    "intake_new": {FD},
    "intake_today": {FD},
    "intake_visit": {FD},
    "intake_urgent": {FD},
    "intake_complaint": {FD},
    "intake_photos": {FD},
    "intake_photo_add": {FD},
    "intake_photo_delete": {FD},
    "intake_chunk": {FD},
    "intake_recording_complete": {FD},
    "intake_recording_discard": {FD},
    "intake_review": {FD},
    "intake_submit": {FD},
    "photo_image": {FD, NURSE},
    "recording_audio": {NURSE},
    "queue": {NURSE},
    "visit": {NURSE},
    "visit_confirm": {NURSE},
    "visit_move": {NURSE},
    "visit_ack": {NURSE},
    "visit_rerun": {NURSE},
    "visit_print": {NURSE},
    "visit_fhir": {NURSE},
    "dashboard": {NURSE, ADMIN},
}


def named_patterns() -> list[URLPattern]:
    found: list[URLPattern] = []
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            continue  # the admin site: staff only, checked below
        found.append(p)
    return found


def test_it_has_every_url_in_the_matrix() -> None:
    names = {p.name for p in named_patterns()}
    assert names == set(MATRIX), "update MATRIX and docs/SECURITY.md together"


def test_it_documents_the_same_matrix() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "SECURITY.md").read_text()
    for name in MATRIX:
        assert f"`{name}`" in doc, name


@pytest.fixture
def objects(media: object, db: None) -> dict[str, int]:
    visit = consenting_visit("Matrix Patient")
    photo = add_photo(visit)
    recording = Recording.objects.create(visit=visit, sequence=0, mime_type="audio/webm")
    return {
        "visit_id": visit.pk,
        "photo_id": photo.pk,
        "recording_id": recording.pk,
        "recording": 0,
        "seq": 0,
    }


def url_for(pattern: URLPattern, objects: dict[str, int]) -> str:
    kwargs = {k: objects[k] for k in pattern.pattern.converters}
    return reverse(str(pattern.name), kwargs=kwargs)


def refused(response: object, anonymous: bool) -> bool:
    status: int = response.status_code  # type: ignore[attr-defined]
    if anonymous:
        location: str = response.get("Location", "") if status == 302 else ""  # type: ignore[attr-defined]
        return status == 401 or "/login/" in location
    return status == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", FD, NURSE, ADMIN])
def test_it_lets_each_role_reach_only_its_pages(who: str, objects: dict[str, int]) -> None:
    if who == "anonymous":
        client, user = Client(), None
    else:
        user = make_user(f"matrix-{who}", Role(who), is_staff=who == ADMIN)
        client = logged_in(user)
    wrong: list[str] = []
    for pattern in named_patterns():
        allowed = MATRIX[str(pattern.name)]
        may = ANYONE in allowed or (user is not None and (SIGNED_IN in allowed or who in allowed))
        url = url_for(pattern, objects)
        if pattern.name == "logout":
            continue  # logging out is harmless for anyone; it would end this client's session
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if pattern.name == "login_pin" and response.status_code in (302, 405):
                continue  # nothing to resume on this client: back to the login form, by design
            if refused(response, user is None) == may:
                wrong.append(f"{method.upper()} {url} -> {response.status_code}")
    assert wrong == [], f"{who}: {wrong}"


@pytest.mark.django_db
def test_it_keeps_the_admin_site_to_staff(objects: dict[str, int]) -> None:
    assert "/login/" in Client().get("/admin/")["Location"]
    for role in (Role.FRONT_DESK, Role.NURSE):
        user: User = make_user(f"admin-try-{role.value}", role)
        response = logged_in(user).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    staff = make_user("admin-it", Role.ADMIN, is_staff=True)
    assert logged_in(staff).get("/admin/").status_code == 200
