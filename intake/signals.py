"""Receivers for authentication and account events: audit them, and close the open
WebSockets of a session that logged out or a user whose access changed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from intake import audit, events
from intake.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record("auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("auth.logout", actor=user, request=request)
    if request.session.session_key:
        events.session_ended(request.session.session_key)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username is kept (account lockout investigations need it); the password never is.
    audit.record(
        "auth.login_failed",
        outcome=AuditEvent.FAILURE,
        detail={"username": str(credentials.get("username", ""))[:150]},
        request=request,
    )


@receiver(m2m_changed, sender=User.groups.through)
def _roles_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    audit.record(
        "user.roles_changed",
        detail={
            "user_id": instance.pk,
            "change": action.removeprefix("post_"),
            "roles": sorted(instance.groups.values_list("name", flat=True)),
        },
    )
    events.access_changed_on_commit(instance.pk)


@receiver(post_save, sender=User)
def _account_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    # Deactivation, a new password or lost staff rights: open sockets check again.
    if not created:
        events.access_changed_on_commit(instance.pk)
