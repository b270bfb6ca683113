from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from intake.health import report


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when intake can make progress end to end, 503 otherwise; JSON for monitoring.
    No authentication (load balancers and compose probe it) and so no patient data."""
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)
