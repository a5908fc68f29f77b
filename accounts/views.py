"""Signing in and out, the second factor, passwords, and a person's own account."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.middleware import SECOND_FACTOR_SESSION_KEY, is_verified
from access.policy import public, requires, second_factor_step
from accounts.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    QueuedPasswordResetForm,
    SecurityCodeForm,
    SignInForm,
)
from accounts.models import User
from audit.models import AccessAction
from audit.services import audit_record
from contextsafe.http import AuthenticatedHttpRequest


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@public
@sensitive_post_parameters("password")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            needs_code = settings.OTP_REQUIRED or has_second_factor(user)
            request.session[SECOND_FACTOR_SESSION_KEY] = needs_code
            audit_record(
                actor=user,
                action=AccessAction.SIGN_IN,
                reason="Password accepted; second factor next"
                if needs_code
                else "Password accepted",
            )
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        audit_record(
            actor=None,
            action=AccessAction.FAILED_SIGN_IN,
            username=request.POST.get("username", "")[:150],
            reason="; ".join(str(e) for e in form.non_field_errors()) or "Incomplete form",
        )
    context = {
        "form": form,
        "next": _safe_next(request, ""),
        "attempts": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/sign_in.html", context)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Called by django-axes when too many sign-ins have failed."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    audit_record(actor=None, action=AccessAction.LOCKED_OUT, username=username)
    context = {"minutes": int(settings.AXES_COOLOFF_TIME * 60)}
    return render(request, "accounts/locked_out.html", context, status=429)


@second_factor_step
@never_cache
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the code from the person's authenticator app (or send them to set one up)."""
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect(
            reverse("accounts:second-factor-setup") + f"?next={_safe_next(request, '')}"
        )
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                form.add_error("code", "Too many wrong codes. Wait a minute, then try again.")
                break
            if device.verify_token(code):
                otp_login(request, device)
                request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
                audit_record(
                    actor=request.user, action=AccessAction.SECOND_FACTOR, reason="Code accepted"
                )
                return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        else:
            form.add_error(
                "code",
                "The security code is wrong or has expired. Enter the code your app shows now.",
            )
        audit_record(actor=request.user, action=AccessAction.SECOND_FACTOR, reason="Wrong code")
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _safe_next(request, "")}
    )


@second_factor_step
@never_cache
def second_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pair an authenticator app: show a QR code and the key, confirm with a first code."""
    if has_second_factor(request.user) and not is_verified(request.user):
        # Someone signed in with only a password cannot replace the existing second factor.
        return redirect("accounts:second-factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
            audit_record(
                actor=request.user,
                action=AccessAction.SECOND_FACTOR,
                reason="Authenticator app set up",
            )
            messages.success(request, "Your authenticator app is set up.")
            return redirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        form.add_error(
            "code", "The security code is wrong or has expired. Enter the code your app shows now."
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app"
    )
    context = {
        "form": form,
        "qr_svg": mark_safe(qr_svg),  # noqa: S308 - generated by segno from our own URL, no user input
        "secret": _group(device.bin_key),
        "next": _safe_next(request, ""),
    }
    return render(request, "accounts/second_factor_setup.html", context)


def _group(key: bytes) -> str:
    encoded = b32encode(key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=AccessAction.SIGN_OUT)
    auth_logout(request)
    return redirect("accounts:signed-out")


@public
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@requires("accounts.view_own_account")
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "account": user,
        "roles": user.role_grants.order_by("role"),
        "teams": user.teams.select_related("agency"),
        "has_second_factor": has_second_factor(user),
    }
    return render(request, "accounts/account.html", context)


@requires("accounts.view_own_account")
@sensitive_post_parameters()
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        audit_record(actor=request.user, action=AccessAction.PASSWORD, reason="Password changed")
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form: Any) -> HttpResponse:
        audit_record(actor=None, action=AccessAction.PASSWORD, reason="Password reset requested")
        scheme, _, domain = settings.BASE_URL.partition("://")
        form.save(
            domain_override=domain,
            use_https=scheme == "https",
            subject_template_name=self.subject_template_name,
            email_template_name=self.email_template_name,
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ChoosePasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.username)
        audit_record(
            actor=None,
            action=AccessAction.PASSWORD,
            obj=form.user,
            reason="Password chosen through emailed link",
        )
        return response


password_reset = public(PasswordResetView.as_view())
password_reset_sent = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html")
)
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_done = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_done.html")
)
