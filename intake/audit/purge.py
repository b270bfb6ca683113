"""Audit retention: events older than AUDIT_RETENTION_DAYS (6 years by default, the HIPAA
documentation period) may be removed, oldest first, by the database owner only. The purge
records what it removed (up to which seq, and that event's hash) as a new event, so the chain
still verifies: it then starts right after a documented cut."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from intake.audit.chain import LOCK_KEY, append
from intake.models import AuditEvent


@dataclass(frozen=True)
class AuditPurge:
    removed: int
    through_seq: int | None


def purge_expired_events(now: datetime | None = None) -> AuditPurge:
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            # The table's trigger refuses deletes unless this transaction says it purges.
            cursor.execute("SET LOCAL intake.audit_purge = 'on'")
        # Oldest first and contiguous: never a hole in the middle of the chain, and never the
        # head (the next event must have something to follow).
        head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        if head is None:
            return AuditPurge(removed=0, through_seq=None)
        last = (
            AuditEvent.objects.filter(at__lt=cutoff)
            .exclude(seq=head)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if last is None:
            return AuditPurge(removed=0, through_seq=None)
        through_seq, through_hash = last
        removed, _ = AuditEvent.objects.filter(seq__lte=through_seq).delete()
        append(
            AuditEvent(
                action="audit.purged",
                detail={
                    "through_seq": through_seq,
                    "through_hash": through_hash,
                    "removed": removed,
                    "retention_days": settings.AUDIT_RETENTION_DAYS,
                },
            )
        )
    return AuditPurge(removed=removed, through_seq=through_seq)
