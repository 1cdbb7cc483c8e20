"""The public verify page: paste or upload a credential and see each check in words."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongjiang.core.uploads import upload_refusal
from gongjiang.credentials.public_verify import checks_for_display, verify_allowed, verify_public
from gongjiang.credentials.vc.limits import MAX_BYTES


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"max_kb": MAX_BYTES // 1024, "pasted": ""}
    if request.method != "POST":
        return render(request, "credentials/verify.html", context)
    if not verify_allowed(request):
        context["error"] = _("核验请求过于频繁，请一分钟后再试。")
        return render(request, "credentials/verify.html", context, status=429)
    upload = request.FILES.get("file")
    pasted = request.POST.get("credential", "")
    refusal = upload_refusal(request, upload)
    if refusal:
        context["error"] = refusal
        return render(request, "credentials/verify.html", context, status=400)
    if upload is not None:
        if upload.size is not None and upload.size > MAX_BYTES:
            context["error"] = _("文件过大：凭证文件最多 %(kb)d KB。") % {"kb": MAX_BYTES // 1024}
            return render(request, "credentials/verify.html", context, status=400)
        data: bytes | str = upload.read(MAX_BYTES + 1)
    elif pasted.strip():
        data = pasted
        context["pasted"] = pasted if len(pasted) <= MAX_BYTES else ""
    else:
        context["error"] = _("请粘贴凭证内容或选择凭证文件。")
        return render(request, "credentials/verify.html", context, status=400)
    report = verify_public(data)
    context.update(checks=checks_for_display(report), verified=report.ok(), checked=True)
    return render(request, "credentials/verify.html", context)
