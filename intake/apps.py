from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Clinic Intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intake import signals  # noqa: F401  (connects audit receivers)
