"""RDFC-1.0 canonicalisation with pyld, in safe mode and with the static loader only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015

from .errors import CredentialError
from .limits import check_shape
from .loader import DEFAULT_LOADER, STATIC_OBJECT_IDS, StaticLoader, UnknownDocumentError

E = TypeVar("E", bound=BaseException)


def _cause(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of ``kind`` in the chain (pyld wraps what the loader and the
    safe-mode checks raise)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _relative_iri(expanded: Any) -> str | None:
    """The first ``@id`` or ``@type`` that did not expand to an absolute IRI, if any."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            ident = item.get("@id")
            if isinstance(ident, str) and not ident.startswith("_:") and ":" not in ident:
                return ident
            types = item.get("@type")
            if "@value" not in item:
                for t in types if isinstance(types, list) else [types] if types else []:
                    if isinstance(t, str) and not t.startswith("_:") and ":" not in t:
                        return t
            stack.extend(v for k, v in item.items() if k not in ("@id", "@type", "@value"))
    return None


# Processed active contexts, remembered across documents. pyld caches a processed context by
# the active context it was processed against, but a type-scoped context (Open Badges uses them
# for every node type) does not propagate, so pyld first clones the active context under a new
# id and never finds its cache again: most of a certificate's canonicalisation went into
# processing the same scoped contexts anew. Processed contexts are frozen by pyld, so sharing
# them is safe; the key holds the local context and loader themselves, so their ids cannot be
# reused while an entry lives.
_PROCESSED: OrderedDict[tuple[Any, ...], tuple[Any, Any, Any]] = OrderedDict()
_PROCESSED_SIZE = 2048
_PROCESSED_LOCK = threading.Lock()

# Expanded IRIs, remembered across documents. Expansion asks pyld to expand each term, type and
# identifier of a document against its active context (some 150 a certificate, a third of the
# expansion's time), and most of the answers are the same for every certificate. Outside context
# processing (no local context given) the answer depends only on the active context, which is
# frozen once processed and not changed after, and on the arguments: so an answer is kept for the
# frozen context object itself, held by the entry so that its id names it while the entry lives.
_EXPANDED: dict[tuple[int, str, str | None, bool], tuple[Any, Any]] = {}
_EXPANDED_SIZE = 50_000


def _context_identity(local_ctx: Any) -> Any:
    """A key that stays true for ``local_ctx``: URLs by value, a scoped context from the fixed
    contexts (or frozen by pyld) by identity; anything else (a document's own) is not cached."""
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
        return tuple(local_ctx)
    if isinstance(local_ctx, frozendict) or id(local_ctx) in STATIC_OBJECT_IDS:
        return ("fixed", id(local_ctx))
    return None


class _SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """Expands once (inside ``to_rdf``) and refuses what safe mode refuses as it does."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._dropped)

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, Mapping) else None
        ident = _context_identity(local_ctx)
        loader = options.get("documentLoader")
        if uuid is None or ident is None:
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (uuid, ident, id(loader), override_protected, propagate, validate_scoped)
        with _PROCESSED_LOCK:
            hit = _PROCESSED.get(key)
            if hit is not None and hit[0] is loader:
                _PROCESSED.move_to_end(key)
                return hit[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if isinstance(result, frozendict):
            with _PROCESSED_LOCK:
                _PROCESSED[key] = (loader, local_ctx, result)
                if len(_PROCESSED) > _PROCESSED_SIZE:
                    _PROCESSED.popitem(last=False)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        if local_ctx is not None or defined is not None or not isinstance(active_ctx, frozendict):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        if not isinstance(value, str) or not isinstance(base, str | None):
            return super()._expand_iri(active_ctx, value, base, vocab)
        key = (id(active_ctx), value, base, bool(vocab))
        hit = _EXPANDED.get(key)
        if hit is not None and hit[0] is active_ctx:
            return hit[1]
        result = super()._expand_iri(active_ctx, value, base, vocab)
        if len(_EXPANDED) >= _EXPANDED_SIZE:
            _EXPANDED.clear()  # a bound, not an eviction policy: a batch refills it at once
        _EXPANDED[key] = (active_ctx, result)
        return result

    @staticmethod
    def _dropped(prop: object) -> None:
        raise CredentialError(
            "context.undefined_term", _("凭证使用了上下文中未定义的字段：%(term)s。"), term=str(prop)[:100]
        )

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        relative = _relative_iri(expanded)
        if relative is not None:
            raise CredentialError(
                "context.undefined_term",
                _("凭证使用了上下文中未定义的类型或标识：%(term)s。"),
                term=relative[:100],
            )
        return expanded


def canonicalize(document: dict[str, Any], *, loader: StaticLoader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document``.

    Safe mode: a property or type that the document's contexts do not define would be dropped
    silently by JSON-LD (and so left unsigned); here it is refused instead, as jsonld.js does
    for Data Integrity.
    """
    check_shape(document)
    options = {"documentLoader": loader or DEFAULT_LOADER, "base": None, "produceGeneralizedRdf": False}
    processor = _SafeProcessor()
    try:
        dataset = processor.to_rdf(document, options)
        nquads: str = URDNA2015().main(dataset, {"format": "application/n-quads"})
    except Exception as exc:  # pyld raises JsonLdError and, on malformed input, plain errors
        refused = _cause(exc, CredentialError)
        if refused is not None:
            raise refused from None
        unknown = _cause(exc, UnknownDocumentError)
        if unknown is not None:
            raise CredentialError(
                "context.unknown",
                _("凭证引用了未知的上下文：%(url)s（只接受本地保存的标准上下文）。"),
                url=unknown.url[:200],
            ) from None
        raise CredentialError("context.invalid", _("凭证不是有效的 JSON-LD 文档，无法规范化。")) from None
    return nquads
