"""HTTP -> HTTPS for `make run`, where daphne itself serves both ports.

Django's SECURE_SSL_REDIRECT keeps the request's port, which is the plain port here; tablets
must land on the TLS port instead. Behind the compose proxy nginx does the redirect and
HTTPS_PORT stays 0, which turns this middleware off.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect


class DevHttpsRedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        port: int = settings.HTTPS_PORT
        if port and not request.is_secure() and request.path not in settings.HTTP_REDIRECT_EXEMPT:
            host = (
                request.get_host().rsplit(":", 1)[0]
                if "]" not in request.get_host()
                else (request.get_host().rsplit("]", 1)[0] + "]")
            )
            return HttpResponsePermanentRedirect(f"https://{host}:{port}{request.get_full_path()}")
        return self.get_response(request)
