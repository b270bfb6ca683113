from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    # FHIR AdministrativeGender, so the export needs no mapping table.
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Patient(models.Model):
    name = models.CharField(max_length=200)
    # Unknown only when "needs a nurse now" was pressed before the form was filled in.
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    mrn = models.CharField("MRN", max_length=64, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # BCP 47 tag ("en", "es", "pt-BR"): what the speech model is asked to recognise.
    preferred_language = models.CharField(max_length=16, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["date_of_birth", "name"], name="patient_dob_name"),
            models.Index(fields=["mrn"], name="patient_mrn", condition=~models.Q(mrn="")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex__in=[c.value for c in Sex]), name="patient_sex_valid"
            ),
        ]

    def __str__(self) -> str:
        # Admin and logs must not print names by accident; the id is enough to find the row.
        return f"Patient #{self.pk}"
