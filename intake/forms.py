"""Forms for the front-desk tablet. Validation lives here; views stay thin."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from inference.asr.languages import language_name
from intake.models import PhotoKind, Sex

# What the front desk picks from; Whisper's codes, names in English for staff. "Other" keeps
# the visit going when the patient's language is not listed (the warning still shows).
LANGUAGES = (
    "en",
    "es",
    "zh",
    "vi",
    "tl",
    "ar",
    "fr",
    "ht",
    "pt",
    "ru",
    "ko",
    "pl",
    "de",
    "it",
    "hi",
    "ur",
    "fa",
    "so",
    "uk",
    "ja",
)
LANGUAGE_CHOICES = [(code, language_name(code)) for code in LANGUAGES]


class NewIntakeForm(forms.Form):
    name = forms.CharField(max_length=200, label="Patient name", strip=True)
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect)
    mrn = forms.CharField(max_length=64, required=False, label="MRN (optional)")
    phone = forms.CharField(
        max_length=32,
        required=False,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES, initial="en", label="Preferred language"
    )
    consent_to_record = forms.BooleanField(
        required=False,
        label="The patient agrees to be recorded while describing the problem",
    )

    def __init__(self, *args: Any, urgent: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Needs a nurse now" must not wait for paperwork: nothing is required then.
        self.urgent = urgent
        if urgent:
            for field in ("name", "date_of_birth", "sex", "preferred_language"):
                self.fields[field].required = False

    def clean_date_of_birth(self) -> date | None:
        born: date | None = self.cleaned_data.get("date_of_birth")
        if born is None:
            return None
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        if born.year < today.year - 125:
            raise forms.ValidationError("Check the year of birth.")
        return born

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name") or ""
        return " ".join(name.split()) or ("Unknown patient" if self.urgent else "")


class ComplaintForm(forms.Form):
    complaint = forms.CharField(
        max_length=4000,
        required=False,
        strip=True,
        label="Chief complaint (typed)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PhotoKindForm(forms.Form):
    kind = forms.ChoiceField(choices=PhotoKind.choices, initial=PhotoKind.OTHER)
