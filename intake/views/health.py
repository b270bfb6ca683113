from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from intake.audit import client_ip
from intake.health import report


def sees_details(request: HttpRequest) -> bool:
    """Queue depths, worker host names, model files and free disk help an attacker map the
    server: only admins and monitoring on the internal networks get them."""
    user = request.user
    if user.is_authenticated and (user.is_staff or user.is_superuser):
        return True
    address = client_ip(request)
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.HEALTHZ_DETAIL_NETWORKS)


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when intake can make progress end to end, 503 otherwise; JSON for monitoring.
    No authentication (load balancers and compose probe it) and so no patient data; anyone
    else gets the status and the names of failing checks only."""
    healthy, body = report()
    if not sees_details(request):
        failing = [name for name, check in body["checks"].items() if not check["ok"]]
        body = {"status": body["status"], "failing": failing}
    return JsonResponse(body, status=200 if healthy else 503)
