"""FHIR R4B export of a reviewed visit, for nurses (the detail page links here)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from intake import audit
from intake.fhir import NotReviewed, bundle_json
from intake.models import Visit
from intake.roles import Role, role_required

FHIR_JSON = "application/fhir+json; charset=utf-8"


@role_required(Role.NURSE)
@require_GET
def export_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    try:
        body = bundle_json(visit_id)
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None
    except NotReviewed as exc:
        # 409: the visit exists but is not in a state that can be exported yet.
        return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
    audit.record("visit.export_fhir", request=request, visit=visit_id, detail={"via": "web"})
    response = HttpResponse(body, content_type=FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="visit-{visit_id}-fhir.json"'
    return response
