"""Admin for IT: users/roles (Django's own), worker heartbeats with the pipeline's queue depth
and visit counts, and the audit trail. Patient and visit data are deliberately not registered:
clinical data is seen through the clinical pages, which check roles and write the audit
trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from intake import audit
from intake.health import check_redis
from intake.models import AccountState, AuditEvent, Visit, WorkerHeartbeat
from intake.states import VisitStatus

S = VisitStatus
# The states a visit passes through in the pipeline, in order, then its two outcomes: enough
# for IT to see where visits pile up without showing any visit.
PIPELINE_STATUSES = (S.SUBMITTED, S.TRANSCRIBING, S.SUMMARIZING, S.READY, S.FAILED)


@dataclass(frozen=True)
class PipelineStatus:
    """Counts only (no patient data): messages waiting per Celery queue, visits per state."""

    queued: dict[str, int]
    broker_error: str
    visits: list[tuple[str, str, int]]  # (status, label, count), zeros included


def visits_by_status() -> list[tuple[str, str, int]]:
    rows = (
        Visit.objects.filter(status__in=[s.value for s in PIPELINE_STATUSES])
        .values("status")
        .annotate(n=Count("pk"))
    )
    found = {row["status"]: row["n"] for row in rows}
    return [(s.value, s.label, found.get(s.value, 0)) for s in PIPELINE_STATUSES]


def pipeline_status() -> PipelineStatus:
    # The same broker reading as /healthz, so the two pages can never disagree.
    broker = check_redis()
    return PipelineStatus(
        queued=dict(broker.detail.get("queued", {})),
        broker_error=broker.error,
        visits=visits_by_status(),
    )


class IntakeAdminSite(OTPAdminSite):  # type: ignore[misc]
    """Django's admin site. With ADMIN_REQUIRE_OTP only staff who also gave a one-time code
    at login (django-otp) get in; without it, staff as usual."""

    @property
    def login_form(self) -> type[AuthenticationForm]:
        return OTPAdminAuthenticationForm if settings.ADMIN_REQUIRE_OTP else AdminAuthenticationForm

    @property
    def login_template(self) -> str | None:
        return OTPAdminSite.login_template if settings.ADMIN_REQUIRE_OTP else None

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ADMIN_REQUIRE_OTP:
            return bool(super().has_permission(request))
        return bool(AdminSite.has_permission(self, request))


admin.site.__class__ = IntakeAdminSite
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin (accounts need no email), plus: a password an administrator sets,
    for a new account or as a reset, must be replaced by its owner at the next login."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            AccountState.require_new_password(obj.pk, request.user.pk)
            audit.record("user.created", request=request, detail={"user_id": obj.pk})

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            AccountState.require_new_password(int(id), request.user.pk)
            audit.record("user.password_reset", request=request, detail={"user_id": int(id)})
        return response


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "queues", "pid", "model_id", "model_loaded_at", "last_seen")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = dict(extra_context or {})
        # Ask Redis only for someone the changelist will be shown to (Django refuses others).
        if self.has_view_or_change_permission(request):
            context["pipeline"] = pipeline_status()
        return super().changelist_view(request, context)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "seq",
        "at",
        "action",
        "outcome",
        "actor",
        "role",
        "patient_id",
        "visit_id",
        "object_type",
        "object_id",
        "ip",
    )
    list_filter = ("action", "outcome", "role")
    # "Who looked at this patient" and "what did this user do": a patient number or a user
    # name in the search box.
    search_fields = ("=patient_id", "=actor__username")
    search_help_text = "A patient number, or a user name (exact)."
    date_hierarchy = "at"
