"""Bounds applied to every credential before any JSON-LD work is done on it.

JSON-LD expansion and RDFC-1.0 canonicalisation cost grows with the number of nodes (and,
for crafted blank-node graphs, faster than that), so size, depth and node count are capped on
the raw input first.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import CredentialError

# A certificate with an embedded badge image stays well below this; a 10 MB body does not.
MAX_BYTES = 256 * 1024
MAX_DEPTH = 24
MAX_NODES = 4000


def parse_json(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Parse a credential from bytes or text, refusing oversize, deep or non-object input."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise CredentialError(
            "input.too_large",
            _("凭证过大：%(size)d 字节，上限 %(limit)d 字节。"),
            size=size,
            limit=max_bytes,
        )
    try:
        value = json.loads(data)
    except RecursionError:
        raise CredentialError("input.too_deep", _("凭证嵌套层数过深。")) from None
    except (ValueError, UnicodeDecodeError):
        raise CredentialError("input.not_json", _("内容不是有效的 JSON。")) from None
    if not isinstance(value, dict):
        raise CredentialError("input.not_object", _("凭证必须是一个 JSON 对象。"))
    check_shape(value)
    return value


def check_shape(value: Any, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Refuse documents nested deeper than ``max_depth`` or with more than ``max_nodes`` values."""
    # Iterative walk: a recursive one would itself overflow on the input it is meant to refuse.
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise CredentialError(
                "input.too_many_nodes",
                _("凭证包含的数据项过多（上限 %(limit)d 项）。"),
                limit=max_nodes,
            )
        if depth > max_depth:
            raise CredentialError(
                "input.too_deep",
                _("凭证嵌套层数过深（上限 %(limit)d 层）。"),
                limit=max_depth,
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
