"""RDFC-1.0 canonicalisation with pyld, in safe mode and with the static loader only."""

from __future__ import annotations

from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _
from pyld import jsonld
from pyld.canon import URDNA2015

from .errors import CredentialError
from .limits import check_shape
from .loader import DEFAULT_LOADER, StaticLoader, UnknownDocumentError

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


class _SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """Expands once (inside ``to_rdf``) and refuses what safe mode refuses as it does."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._dropped)

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
