from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change() -> None:
    # Exits non-zero (SystemExit) when a model change has no migration; also catches
    # non-deterministic migration content (e.g. a set's iteration order in an index).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_it_creates_the_role_groups() -> None:
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"front_desk", "nurse", "admin"}
