"""Reference data is public: these endpoints answer anyone."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Schema

from gongjiang.core.api import anyone, scoped_router
from gongjiang.refdata import selectors
from gongjiang.refdata.models import Concept, Scheme

router = scoped_router(tags=["refdata"], auth=anyone)


class SchemeOut(Schema):
    scheme: str
    name: str
    version: str | None
    effective_from: str | None
    rows: int
    demo_subset: bool


class ConceptOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    aliases: list[str]
    is_digital: bool
    is_green: bool


class ConceptDetailOut(ConceptOut):
    path: list[ConceptOut]
    children: list[ConceptOut]
    class_levels: list[str]


def _out(c: Concept) -> ConceptOut:
    return ConceptOut(
        code=c.code,
        name=c.name,
        level=c.level,
        parent_code=c.parent.code if c.parent is not None else None,
        aliases=c.alias_list,
        is_digital=c.is_digital,
        is_green=c.is_green,
    )


def _scheme(value: str) -> Scheme:
    try:
        return Scheme(value)
    except ValueError as exc:
        raise Http404 from exc


@router.get("/schemes", response=list[SchemeOut], summary="代码表")
def scheme_list(request: HttpRequest) -> list[SchemeOut]:
    result = []
    for scheme in Scheme:
        version = selectors.current_version(scheme)
        result.append(
            SchemeOut(
                scheme=scheme.value,
                name=str(scheme.label),
                version=version.label if version else None,
                effective_from=version.effective_from.isoformat() if version else None,
                rows=version.row_count if version else 0,
                demo_subset=version.demo_subset if version else False,
            )
        )
    return result


@router.get(
    "/{scheme}/search",
    response=list[ConceptOut],
    summary="按代码、名称、别名或拼音查找（最相近的 limit 条，最多 100，不分页）",
)
def concept_search(
    request: HttpRequest, scheme: str, q: str = "", level: int | None = None, limit: int = 20
) -> list[ConceptOut]:
    found = selectors.concept_search(_scheme(scheme), q, level=level, limit=max(1, min(limit, 100)))
    return [_out(c) for c in found]


@router.get("/{scheme}/{code}", response=ConceptDetailOut, summary="代码详情")
def concept_detail(request: HttpRequest, scheme: str, code: str) -> ConceptDetailOut:
    concept = selectors.concept_get(_scheme(scheme), code)
    if concept is None:
        raise Http404
    base = _out(concept)
    return ConceptDetailOut(
        **base.dict(),
        path=[_out(a) for a in selectors.ancestors(concept)],
        children=[_out(c) for c in selectors.children(concept).select_related("parent")],
        class_levels=list(concept.attrs.get("class_levels", [])),
    )
