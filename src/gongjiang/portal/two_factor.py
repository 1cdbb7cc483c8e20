"""Two-factor sign-in pages: the code after the password, and setting up an authenticator.

After a right password, an account with a confirmed authenticator is not signed in yet: the
session holds the pending user for a few minutes and `/login/code/` asks for a code. An account
that must have one (a bureau's, with settings.REQUIRE_2FA_FOR_BUREAU) and has none is signed in
but kept on `/account/2fa/` until it has confirmed one (`EnrolmentRequiredMiddleware`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyotp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core.redirects import safe_next
from gongjiang.directory import selectors as directory
from gongjiang.directory import services as directory_services
from gongjiang.directory.models import User

PENDING = "gj_2fa_pending"
ENROL_REQUIRED = "gj_2fa_enrol_required"
PENDING_SECONDS = 300


def start_second_step(request: HttpRequest, user: User) -> HttpResponse:
    """The password was right: remember who, and ask for the code."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "at": time.time(),
        "next": safe_next(request, ""),
    }
    return redirect("portal:login_code")


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("portal:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("portal:login")
    error = ""
    if request.method == "POST":
        address = _client_address(request)
        if directory.signin_locked(username=user.username, address=address):
            error = _(
                "登录失败次数过多，已暂时停止接受此账号或此地址的登录。请%(minutes)s分钟后再试，或请本单位管理员解锁。"
            ) % {"minutes": settings.SIGNIN_WINDOW_SECONDS // 60}
        elif directory_services.totp_verify(user=user, code=request.POST.get("code", ""), address=address):
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            directory_services.signin_succeeded(user=user)
            return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
        else:
            error = _("验证码不正确。请输入验证器中当前显示的 6 位数字，或一个未用过的恢复码。")
    return render(request, "portal/login_code.html", {"error": error})


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up, confirm or switch off the signed-in user's authenticator."""
    user: User = request.user  # type: ignore[assignment]
    actor = directory_services.actor_for_self(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"required": directory.two_factor_required(user)}
    try:
        if action == "start":
            directory_services.totp_enrol_start(actor=actor, user=user)
        elif action == "confirm":
            context["recovery_codes"] = directory_services.totp_confirm(
                actor=actor, user=user, code=request.POST.get("code", "")
            )
            request.session.pop(ENROL_REQUIRED, None)
        elif action == "disable":
            if context["required"]:
                raise ValidationError(_("您的账号必须使用两步验证，不能关闭。"))
            directory_services.totp_disable(actor=actor, user=user)
            messages.success(request, _("两步验证已关闭。"))
            return redirect("portal:two_factor")
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
    device = directory.two_factor_of(user)
    context["device"] = device
    if device is not None and device.confirmed_at is None:
        context["uri"] = pyotp.TOTP(device.secret).provisioning_uri(name=user.username, issuer_name="Gongjiang")
        context["secret"] = device.secret
    return render(request, "portal/two_factor.html", context)


class EnrolmentRequiredMiddleware:
    """Keep an account that must use two-factor sign-in on the set-up page until it has."""

    ALLOWED = ("portal:two_factor", "portal:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(ENROL_REQUIRED) and request.user.is_authenticated:
            allowed = {reverse(name) for name in self.ALLOWED}
            path = request.path_info
            if path not in allowed and not path.startswith(("/static/", "/i18n/")):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": _("请先设置两步验证。")}, status=403)
                return redirect("portal:two_factor")
        return self.get_response(request)
