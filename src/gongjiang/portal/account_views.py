"""Account pages: an organisation's admin manages its members (账号管理); every user changes their
own password or resets a forgotten one. Thin: the writes are directory services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongjiang.core.actors import Actor
from gongjiang.core.actors import request_actor as _actor
from gongjiang.core.forms import attach
from gongjiang.core.scope import ActorKind
from gongjiang.directory import selectors as directory
from gongjiang.directory import services as directory_services
from gongjiang.directory.models import Role, User
from gongjiang.directory.selectors import actor_for_user


def _site(request: HttpRequest) -> str:
    """The address links in e-mails point to: the one the admin is using."""
    return f"{request.scheme}://{request.get_host()}"


class InviteForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("电子邮箱"), max_length=254)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.STAFF)


def _admin(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if actor.role != "admin" or actor.organisation_id is None:
        raise PermissionDenied(_("只有本单位的管理员可以管理账号。"))
    return actor


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    """The organisation's members, and inviting a new one."""
    actor = _admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = directory.organisation_of(actor=actor)
        assert organisation is not None  # an admin acts for an organisation (`_admin`)
        try:
            directory_services.account_invite(
                actor=actor, organisation=organisation, link_base=_site(request), **form.cleaned_data
            )
        except ValidationError as exc:
            attach(form, exc)
        else:
            messages.success(
                request,
                _("已邀请 %(name)s，设置密码的链接已发到 %(email)s。")
                % {"name": form.cleaned_data["username"], "email": form.cleaned_data["email"]},
            )
            return redirect("portal:accounts")
    members = list(directory.account_members(actor=actor))
    locked = directory.accounts_locked(usernames=[m.user.username for m in members])
    return render(
        request,
        "portal/accounts.html",
        {
            "members": members,
            "locked": locked,
            "two_factor": directory.users_with_two_factor(user_ids=[m.user_id for m in members]),
            "form": form,
            "roles": Role.choices,
        },
    )


@require_POST
@login_required
def account_action(request: HttpRequest, membership_id: int) -> HttpResponse:
    """One action on a member of the admin's own organisation (another's answers 404)."""
    actor = _admin(request)
    membership = directory.account_member_get(actor=actor, membership_id=membership_id)
    user = membership.user
    action = request.POST.get("action", "")
    try:
        if action == "role":
            directory_services.membership_role_set(
                actor=actor, membership=membership, role=request.POST.get("role", "")
            )
            done = _("已修改 %(name)s 的角色。")
        elif action in ("deactivate", "activate"):
            directory_services.account_set_active(actor=actor, user=user, active=action == "activate")
            done = _("已停用 %(name)s 的账号。") if action == "deactivate" else _("已恢复 %(name)s 的账号。")
        elif action == "reset":
            directory_services.account_send_reset(actor=actor, user=user, link_base=_site(request))
            done = _("已向 %(name)s 的邮箱发送重设密码的链接。")
        elif action == "totp_off":
            directory_services.totp_disable(actor=actor, user=user)
            done = _("已关闭 %(name)s 的两步验证，其下次登录只需密码。")
        elif action == "unlock":
            directory_services.account_unlock(actor=actor, user=user)
            done = _("已解除 %(name)s 的登录锁定。")
        else:
            raise ValidationError(_("未知的操作。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done % {"name": user.username})
    return redirect("portal:accounts")


class OwnPasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, new one twice, the validators); saved through the service."""

    def save(self, commit: bool = True) -> Any:
        return directory_services.password_set(
            actor=_as_self(self.user), user=self.user, password=self.cleaned_data["new_password1"]
        )


if TYPE_CHECKING:
    _SetPasswordForm = auth_forms.SetPasswordForm[User]
else:  # Django's class takes no type parameter at run time; its stubs want one.
    _SetPasswordForm = auth_forms.SetPasswordForm


class LinkSetPasswordForm(_SetPasswordForm):
    """Setting a password through a one-time link: the user is acting for themself."""

    def save(self, commit: bool = True) -> Any:
        return directory_services.password_set(
            actor=_as_self(self.user), user=self.user, password=self.cleaned_data["new_password1"]
        )


def _as_self(user: User) -> Actor:
    """The user acting on their own account; one with no organisation or person yet (an invited
    account whose organisation was deactivated) still acts as itself."""
    actor = actor_for_user(user)
    return actor if actor.user_id == user.pk else Actor(kind=ActorKind.PUBLIC, username=user.username, user_id=user.pk)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/account_form.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("portal:home")
    extra_context = {"title": _("修改密码"), "submit": _("修改密码")}

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """The answer is the same whether or not the address belongs to an account."""

    template_name = "portal/account_form.html"
    email_template_name = "portal/password_reset_email.txt"
    subject_template_name = "portal/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")
    extra_context = {
        "title": _("找回密码"),
        "submit": _("发送重设链接"),
        "intro": _("填写账号登记的电子邮箱，我们会把设置新密码的链接发到这个邮箱。"),
    }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/account_message.html"
    extra_context = {
        "title": _("找回密码"),
        "message": _("如果这个邮箱登记在某个账号上，设置新密码的链接已经发出，请查收邮件（也请看看垃圾邮件）。"),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/account_form.html"
    form_class = LinkSetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")
    extra_context = {"title": _("设置密码"), "submit": _("设置密码")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/account_message.html"
    extra_context = {"title": _("设置密码"), "message": _("密码已设置，现在可以登录了。"), "login_link": True}
