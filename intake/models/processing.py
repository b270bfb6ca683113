from __future__ import annotations

from django.db import models

from inference.safety.rules import rule_description, rule_title


def _one_current(model: str) -> models.UniqueConstraint:
    # At most one current row per visit; earlier ones stay as history (re-runs).
    return models.UniqueConstraint(
        fields=["visit"], condition=models.Q(is_current=True), name=f"{model}_one_current"
    )


class Transcript(models.Model):
    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="transcripts")
    is_current = models.BooleanField(default=True)
    text = models.TextField()
    model_id = models.CharField(max_length=200)
    language = models.CharField(max_length=16)  # asked for (the patient's preferred language)
    detected_language = models.CharField(max_length=16, blank=True)
    # The model could not handle the patient's language (e.g. an English-only model).
    language_warning = models.TextField(blank=True)
    # What staff should know that did not stop the transcription ("a recording was empty and
    # left out"), in words they can act on.
    notes = models.JSONField(default=list)
    audio_seconds = models.FloatField()
    wall_seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [_one_current("transcript")]


class TranscriptSegment(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    recording = models.ForeignKey(
        "intake.Recording", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Seconds on the ORIGINAL recording's timeline (silence trimming is mapped back).
    start_s = models.FloatField()
    end_s = models.FloatField()
    text = models.TextField()
    # [{"w": "pain", "s": 1.2, "e": 1.5}, ...] when the engine gives word timings.
    words = models.JSONField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="segment_index_unique"),
            models.CheckConstraint(
                condition=models.Q(end_s__gte=models.F("start_s")), name="segment_times_ordered"
            ),
        ]
        ordering = ["transcript", "index"]


class AIDraft(models.Model):
    """The model's structured triage suggestion. Never a decision: see NurseReview."""

    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="drafts")
    transcript = models.ForeignKey(
        Transcript, on_delete=models.SET_NULL, null=True, related_name="drafts"
    )
    is_current = models.BooleanField(default=True)
    data = models.JSONField()  # the validated triage record (JSONB)
    schema_version = models.CharField(max_length=20)
    model_id = models.CharField(max_length=200)
    prompt_version = models.CharField(max_length=40)
    photos_analysed = models.BooleanField(default=False)
    # What the nurse should know about how the draft was made ("transcript shortened for the
    # model", "2 photos not analysed: ..."), in words a nurse can act on.
    notes = models.JSONField(default=list)
    # Where each item's quote sits in the transcript (inference.evidence ItemEvidence.as_json):
    # path, supported, segment, character span, times. Unsupported items are kept and marked.
    evidence = models.JSONField(default=list)
    # {"prompt_tokens": .., "generated_tokens": .., "load_s": .., "generate_s": ..}
    timings = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [_one_current("aidraft")]


class SafetyFiring(models.Model):
    """A red-flag rule that fired (inference.safety). Firings only ever raise urgency."""

    class Source(models.TextChoices):
        TRANSCRIPT = "transcript", "Transcript"
        DRAFT = "draft", "AI draft"
        TYPED = "typed", "Typed complaint"

    class Level(models.TextChoices):
        DEFINITE = "definite", "Definite"
        POSSIBLE = "possible", "Possible: check"

    class Layer(models.TextChoices):
        RULES = "rules", "word rules"
        SEMANTIC = "semantic", "meaning match"
        MODEL = "model", "AI record"

    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="firings")
    transcript = models.ForeignKey(Transcript, on_delete=models.SET_NULL, null=True)
    draft = models.ForeignKey(AIDraft, on_delete=models.SET_NULL, null=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    rule_id = models.CharField(max_length=64)
    rule_version = models.CharField(max_length=20, blank=True)
    esi_floor = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.DEFINITE)
    layer = models.CharField(max_length=10, choices=Layer.choices, default=Layer.RULES)
    # The rule's description as it read when it fired (the catalogue may change later).
    description = models.TextField(blank=True)
    reason = models.CharField(max_length=300, blank=True)  # e.g. "chest pain + sweating"
    # [{"quote": "...", "segment": 3, "start": 12, "end": 30, "t0": 4.1, "t1": 5.0}]
    evidence = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(esi_floor__gte=1, esi_floor__lte=5),
                name="firing_esi_floor_1_5",
            ),
        ]

    @property
    def text(self) -> str:
        """What the nurse reads: the description stored at firing time (older rows: the
        catalogue's)."""
        return self.description or rule_description(self.rule_id)

    @property
    def title(self) -> str:
        return rule_title(self.rule_id)


class StepName(models.TextChoices):
    ASR = "asr", "Transcription"
    SAFETY = "safety", "Safety rules"
    LLM = "llm", "Triage draft"
    PLAYBACK = "playback", "Playback copy"


class StepStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ProcessingStep(models.Model):
    """One attempt at one pipeline step for a visit. Workers claim a step with a conditional
    update that sets a lease; the sweeper reclaims steps whose lease expired."""

    visit = models.ForeignKey("intake.Visit", on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=16, choices=StepName.choices)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default="pending")
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True)
    progress = models.FloatField(default=0.0)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)  # readable by a nurse
    created_at = models.DateTimeField(auto_now_add=True)
    # When a task for this step was last sent to the broker: the sweeper sends another only
    # when this is older than its grace period, so a backlog never multiplies messages.
    enqueued_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "step", "attempt"], name="step_attempt_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0.0, progress__lte=1.0),
                name="step_progress_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[c.value for c in StepStatus]),
                name="step_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="running") | models.Q(lease_expires_at__isnull=False),
                name="step_running_has_lease",
            ),
        ]
        indexes = [
            # The sweeper's question: which running steps have an expired lease?
            models.Index(
                fields=["lease_expires_at"],
                name="step_running_lease",
                condition=models.Q(status="running"),
            ),
        ]


class WorkerHeartbeat(models.Model):
    """Last sign of life of each worker process, for /healthz and the admin."""

    hostname = models.CharField(max_length=200, unique=True)  # celery node name, e.g. asr@host
    queues = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    model_id = models.CharField(max_length=300, blank=True)
    model_loaded_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return self.hostname
