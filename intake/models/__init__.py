from intake.models.account import AccountState
from intake.models.audit import AuditEvent
from intake.models.media import Photo, PhotoKind, Recording, RecordingChunk
from intake.models.patient import Patient, Sex
from intake.models.processing import (
    AIDraft,
    ProcessingStep,
    SafetyFiring,
    StepName,
    StepStatus,
    Transcript,
    TranscriptSegment,
    WorkerHeartbeat,
)
from intake.models.review import NurseReview
from intake.models.visit import Visit

__all__ = [
    "AIDraft",
    "AccountState",
    "AuditEvent",
    "NurseReview",
    "Patient",
    "Photo",
    "PhotoKind",
    "ProcessingStep",
    "Recording",
    "RecordingChunk",
    "SafetyFiring",
    "Sex",
    "StepName",
    "StepStatus",
    "Transcript",
    "TranscriptSegment",
    "Visit",
    "WorkerHeartbeat",
]
