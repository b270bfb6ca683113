from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from intake.roles import Role, user_roles


def clinic(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None else frozenset()
    return {
        "clinic_name": settings.CLINIC_NAME,
        "intake_env": settings.INTAKE_ENV,
        "user_roles": roles,
        "is_nurse": Role.NURSE in roles,
        "is_front_desk": Role.FRONT_DESK in roles,
        "is_admin": Role.ADMIN in roles,
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "pin_relogin_minutes": settings.PIN_RELOGIN_MINUTES,
    }
