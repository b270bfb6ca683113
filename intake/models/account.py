from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountState(models.Model):
    """Per-account flags Django's User has no field for. A password an administrator set
    (a new account, a reset) is known to two people: its owner must replace it before using
    anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_state"
    )
    must_change_password = models.BooleanField(default=False)
    password_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    password_set_at = models.DateTimeField(null=True)
    # Quick re-login on a shared tablet (intake.quick_login): the PIN, hashed like a password,
    # and wrong PINs since the last good login (at PIN_MAX_FAILURES the password is needed).
    pin_hash = models.CharField(max_length=128, blank=True)
    pin_failures = models.PositiveSmallIntegerField(default=0)

    @classmethod
    def require_new_password(cls, user_id: int, set_by_id: int | None) -> None:
        cls.objects.update_or_create(
            user_id=user_id,
            defaults={
                "must_change_password": True,
                "password_set_by_id": set_by_id,
                "password_set_at": timezone.now(),
            },
        )

    @classmethod
    def password_changed(cls, user_id: int) -> None:
        cls.objects.filter(user_id=user_id).update(must_change_password=False)

    @classmethod
    def must_change(cls, user_id: int) -> bool:
        return cls.objects.filter(user_id=user_id, must_change_password=True).exists()
