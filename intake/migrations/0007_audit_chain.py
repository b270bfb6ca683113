"""Audit trail: hash chain (seq, prev_hash, hash), FHIR AuditEvent fields (role, outcome,
patient), plain visit ids (deleting a visit never touches its trail), and a trigger that makes
the table append-only for every database role (only a purge that says so may delete)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from intake.audit.chain import GENESIS, digest

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION intake_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('intake.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER intake_audit_append_only
    BEFORE UPDATE OR DELETE ON intake_auditevent
    FOR EACH ROW EXECUTE FUNCTION intake_audit_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS intake_audit_append_only ON intake_auditevent;
DROP FUNCTION IF EXISTS intake_audit_append_only();
"""


def chain_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    AuditEvent = apps.get_model("intake", "AuditEvent")
    Visit = apps.get_model("intake", "Visit")
    patients = dict(Visit.objects.values_list("pk", "patient_id"))
    prev = GENESIS
    for seq, event in enumerate(AuditEvent.objects.order_by("at", "pk"), start=1):
        event.seq = seq
        event.patient_id = patients.get(event.visit_id)
        event.prev_hash = prev
        event.hash = digest(event)
        event.save(update_fields=["seq", "patient_id", "prev_hash", "hash"])
        prev = event.hash


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_step_enqueued_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="role",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="outcome",
            field=models.CharField(default="success", max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="patient_id",
            field=models.BigIntegerField(db_index=True, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="visit",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_events",
                to="intake.visit",
            ),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["-seq"]},
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
