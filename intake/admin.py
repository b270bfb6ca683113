"""Admin for IT: users/roles (Django's own), worker heartbeats with the pipeline's queue depth
and visit counts, and the audit trail. Patient and visit data are deliberately not registered:
clinical data is seen through the clinical pages, which check roles and write the audit
trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse

from intake.health import check_redis
from intake.models import AuditEvent, Visit, WorkerHeartbeat
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
    list_display = ("at", "action", "actor", "visit_id", "object_type", "object_id", "ip")
    list_filter = ("action",)
    date_hierarchy = "at"
