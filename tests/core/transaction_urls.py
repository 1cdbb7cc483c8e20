"""Views for tests/core/test_transactions.py: each says how deep in transactions it ran, and
one writes, then fails."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gongjiang.config.urls import urlpatterns as site


@csrf_exempt
def depth(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"depth": len(connection.atomic_blocks)})


@csrf_exempt
def write_then_fail(request: HttpRequest) -> JsonResponse:
    Group.objects.create(name=request.POST["name"])
    if request.POST.get("fail") == "404":
        raise Http404
    if request.POST.get("fail") == "500":
        raise RuntimeError("boom")
    return JsonResponse({"ok": True})


# The site's own pages too: the error pages link to them.
urlpatterns = [path("test/depth", depth), path("test/write", write_then_fail), *site]
