"""Triage extraction: the versioned record schema, the prompt, and the constrained LLM call."""

from inference.triage.extract import Engine, Request, TriageDraft, build_request, extract
from inference.triage.parse import ExtractionFailed, parse_record
from inference.triage.patient import PatientContext
from inference.triage.photos import PhotoError, PhotoInput, to_data_uri
from inference.triage.prompt import PROMPT_VERSION
from inference.triage.schema import SCHEMA_VERSION, Bounds, TriageRecord, grammar_schema

__all__ = [
    "PROMPT_VERSION",
    "SCHEMA_VERSION",
    "Bounds",
    "Engine",
    "ExtractionFailed",
    "PatientContext",
    "PhotoError",
    "PhotoInput",
    "Request",
    "TriageDraft",
    "TriageRecord",
    "build_request",
    "extract",
    "grammar_schema",
    "parse_record",
    "to_data_uri",
]
