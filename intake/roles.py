"""Roles are Django groups. One check, used by views (decorator) and consumers (function)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    # Who acts: the request's user in a view, or None for the workers, the sweeper and tools.
    Actor = AbstractBaseUser | AnonymousUser | None


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    ADMIN = "admin"


ALL_ROLES = tuple(Role)

F = TypeVar("F", bound=Callable[..., HttpResponseBase])


def user_roles(user: Any) -> frozenset[Role]:
    """The user's roles; read once per user object (= once per request: the role check, the
    menu and the templates all ask)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, "_intake_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    user._intake_roles = frozenset(roles)
    return user._intake_roles  # type: ignore[no-any-return]


def has_role(user: Any, *allowed: Role) -> bool:
    """True when the user holds any of `allowed`. Admins are not implicitly clinicians: an IT
    account must not see the nurse queue unless it is also in the nurse group."""
    return bool(user_roles(user) & set(allowed))


def role_required(*allowed: Role) -> Callable[[F], F]:
    """View decorator: 403 for a logged-in user without the role (login itself is enforced
    for every view by LoginRequiredMiddleware)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *allowed):
                raise PermissionDenied("Your account does not have access to this page.")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
