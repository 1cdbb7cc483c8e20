"""`POST /api/v1/credentials/verify` in the VC-API shape: anyone may call it (other departments,
wallets); the body is bounded before it is parsed, and calls are limited per client address."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from gongjiang.credentials.public_verify import verify_allowed, verify_public
from gongjiang.credentials.vc.errors import CredentialError
from gongjiang.credentials.vc.limits import MAX_BYTES, parse_json
from gongjiang.credentials.vc.verify import Outcome

# No session authority is used (nothing is read that the public may not read, nothing is
# written), so the endpoint takes no authentication and no CSRF token: machines call it.
router = Router(tags=["credentials"], auth=None)

BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"verifiableCredential": {"type": "object"}, "options": {"type": "object"}},
                    "required": ["verifiableCredential"],
                }
            }
        },
    }
}


def _refuse(message: str, status: int) -> JsonResponse:
    return JsonResponse({"verified": False, "errors": [message], "checks": [], "warnings": []}, status=status)


@router.post("/verify", summary="核验一份可验证凭证（VC-API）", openapi_extra=BODY)
def verify(request: HttpRequest) -> HttpResponse:
    """Each check is named: passed ones in `checks`, failed ones in `errors`, unchecked ones in
    `warnings`; `results` carries every check with its Chinese and English message. 200 when the
    credential verifies, 400 when it does not, 413 for a body over the limit, 429 when too many."""
    if not verify_allowed(request):
        return _refuse(_("核验请求过于频繁，请一分钟后再试。"), 429)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES + 1024:
        return _refuse(_("请求过大：凭证最多 %(kb)d KB。") % {"kb": MAX_BYTES // 1024}, 413)
    try:
        body = parse_json(request.body, max_bytes=MAX_BYTES + 1024)
    except CredentialError as exc:
        return _refuse(exc.message.text(), 400)
    credential: Any = body.get("verifiableCredential")
    if not isinstance(credential, dict):
        return _refuse(_("请求中缺少 verifiableCredential 对象。"), 400)
    report = verify_public(credential)
    answer = {
        "verified": report.ok(),
        "checks": [c.name for c in report.checks if c.outcome == Outcome.PASSED],
        "errors": [c.message.text() for c in report.checks if c.outcome == Outcome.FAILED],
        "warnings": [c.message.text() for c in report.checks if c.outcome == Outcome.UNCHECKED],
        "results": [c.as_dict() for c in report.checks],
    }
    return HttpResponse(
        json.dumps(answer, ensure_ascii=False), content_type="application/json", status=200 if report.ok() else 400
    )
