"""The user's own account: logging in and out (with the tablet's quick PIN re-login), the
PIN itself, and changing a password (forced after an administrator set it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from intake import audit, quick_login
from intake.models import AccountState, AuditEvent
from intake.views.common import staff_user

PIN_PATTERN = r"[0-9]{4,8}"


class Login(auth_views.LoginView):
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["resume_user"] = quick_login.resumable_user(self.request)
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        quick_login.password_login(user.pk)
        quick_login.remember(response, user.pk)
        return response


class Logout(auth_views.LogoutView):
    """An explicit "Log out" hands the device to the next person: the PIN stops working."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        quick_login.forget(response)
        return response


@login_not_required
@require_POST
def pin_login(request: HttpRequest) -> HttpResponse:
    user = quick_login.resumable_user(request)
    if user is None:
        return redirect("login")
    if quick_login.check_pin(user, request.POST.get("pin", "")):
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        audit.record("auth.pin_login", actor=user, request=request)
        response = redirect("home")
        quick_login.remember(response, user.pk)
        return response
    audit.record(
        "auth.login_failed",
        outcome=AuditEvent.FAILURE,
        detail={"username": user.username, "method": "pin"},
        request=request,
    )
    still = quick_login.resumable_user(request)
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "resume_user": still,
            "pin_error": "That PIN is not right."
            if still
            else "Too many wrong PINs: log in with your password.",
        },
        status=400,
    )


class PinForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput)
    pin = forms.RegexField(regex=rf"^{PIN_PATTERN}$", error_messages={"invalid": "4 to 8 digits."})
    pin_again = forms.CharField()

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", "The two PINs differ.")
        return data


def pin_settings(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = PinForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        quick_login.set_pin(user, form.cleaned_data["pin"])
        audit.record("auth.pin_set", request=request)
        return render(request, "registration/pin.html", {"form": PinForm(user), "saved": True})
    return render(request, "registration/pin.html", {"form": form})


@require_POST
def ping(request: HttpRequest) -> HttpResponse:
    """A person is using the page (idle.js): like any request they make, this moves the idle
    logoff forward (intake.middleware.SlidingSessionMiddleware). Nothing else."""
    return HttpResponse(status=204)


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["must_change_password"] = AccountState.must_change(staff_user(self.request).pk)
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        AccountState.password_changed(staff_user(self.request).pk)
        audit.record("auth.password_changed", request=self.request)
        return response
