"""Admin for IT: users/roles (Django's own), worker heartbeats and the audit trail. Patient and
visit data are deliberately not registered: clinical data is seen through the clinical pages,
which check roles and write the audit trail."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from intake.models import AuditEvent, WorkerHeartbeat


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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor", "visit_id", "object_type", "object_id", "ip")
    list_filter = ("action",)
    date_hierarchy = "at"
