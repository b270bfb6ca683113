"""What the views share: finding the visit a URL names, and telling htmx requests apart."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from intake import frontdesk
from intake.models import Visit


def visit_or_404(visit_id: int, *, front_desk: bool) -> Visit:
    """The visit, or 404 when there is none the page may show.

    Front-desk pages (front_desk=True) see only what a tablet may open: recent visits that have
    not ended (frontdesk.desk_visits), so a tablet cannot reach older patients by trying ids.
    Nurse pages see every visit.
    """
    if front_desk:
        try:
            return frontdesk.front_desk_visit(visit_id)
        except Visit.DoesNotExist:
            raise Http404("No such intake on this desk.") from None
    try:
        return Visit.objects.select_related("patient", "status_changed_by").get(pk=visit_id)
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made: it wants a fragment to swap in, not the whole page."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest) -> str | None:
    """The POSTed `next` page when it is a page of this site, else None: a link from outside
    must not be able to send a logged-in nurse to another host (open redirect)."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


def staff_user(request: HttpRequest) -> User:
    """The logged-in staff member (views behind role_required: never anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("a staff view reached without a logged-in user")
    return user
