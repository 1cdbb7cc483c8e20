"""Reading reference data. It is public, so these take no actor.

"Current" means the version of a scheme with the latest effective date on or before the day
asked for (today by default); an older day reads the version in force then.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

# The reading tools other apps use (occupation coding, pinyin, the domain tokeniser) are reached
# through this module (import-linter: apps meet through their public modules).
from gongjiang.core import clock
from gongjiang.refdata.coding import CodingResult as CodingResult
from gongjiang.refdata.coding import OccupationCoder as OccupationCoder
from gongjiang.refdata.coding import load_rules
from gongjiang.refdata.models import CatalogueVersion, Concept, Crosswalk, Scheme
from gongjiang.refdata.pinyin import HAN_RUN as HAN
from gongjiang.refdata.pinyin import pinyin_of as pinyin_of
from gongjiang.refdata.text import dictionary_words as dictionary_words
from gongjiang.refdata.text import tokenizer as tokenizer

MAX_QUERY_LENGTH = 100
SEARCH_CANDIDATES = 400
CODE_QUERY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]*$")
LETTERS = re.compile(r"^[a-z]+$")


def current_version(scheme: str, as_of: dt.date | None = None) -> CatalogueVersion | None:
    versions = CatalogueVersion.objects.filter(scheme=scheme)
    day = as_of or clock.today()
    # On a tie the full table wins over a demo subset, then the later load.
    return versions.filter(effective_from__lte=day).order_by("-effective_from", "demo_subset", "-id").first() or (
        versions.order_by("effective_from").first() if as_of is None else None
    )


def concepts(scheme: str, as_of: dt.date | None = None) -> QuerySet[Concept]:
    # The version is chosen inside the query (as current_version chooses it), so a lookup is one
    # round trip: services check codes row by row, and an import checks thousands.
    versions = CatalogueVersion.objects.filter(scheme=scheme)
    day = as_of or clock.today()
    effective = versions.filter(effective_from__lte=day).order_by("-effective_from", "demo_subset", "-id")
    chosen: Any = Subquery(effective.values("id")[:1])
    if as_of is None:
        chosen = Coalesce(chosen, Subquery(versions.order_by("effective_from").values("id")[:1]))
    return Concept.objects.filter(version_id=chosen)


def concept_get(scheme: str, code: str, as_of: dt.date | None = None) -> Concept | None:
    """The concept with that code; where a code sits at two levels, the deeper one (the occupation)."""
    memo = _memo.get()
    if memo is None:
        return concepts(scheme, as_of).filter(code=code).order_by("-level").first()
    key = (scheme, code, as_of)
    if key not in memo:
        memo[key] = concepts(scheme, as_of).filter(code=code).order_by("-level").first()
    return memo[key]


# Lookups remembered inside `remembered_lookups()` only: reference data changes by loading a new
# version, which a long-running server must see at once, so nothing is cached by default.
_memo: contextvars.ContextVar[dict[tuple[str, str, dt.date | None], Concept | None] | None] = contextvars.ContextVar(
    "refdata_memo", default=None
)


@contextlib.contextmanager
def remembered_lookups() -> Iterator[None]:
    """Within the block, each code is looked up once: for a batch job (the demo generator) that
    checks the same few hundred codes tens of thousands of times and loads no reference data."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def region_get(code: str, as_of: dt.date | None = None) -> Concept | None:
    return concept_get(Scheme.REGION, code, as_of)


# The provinces of GB/T 2260 (with 台湾, 香港 and 澳门): stable since 1997 (重庆).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def region_ever_existed(code: str) -> bool:
    """True for a current code or one in the change history (an old 身份证 keeps its old code)."""
    return region_get(code) is not None or concepts(Scheme.REGION_HISTORY).filter(code=code).exists()


def id_region_valid(code: str) -> bool:
    """Whether the first six digits of a 身份证号 name a region: as `region_ever_existed`, except
    that where only the demo subset of regions is loaded, any county-level code of a real
    province passes: a student born in another province, or in a district the subset leaves out,
    is real, and refusing them would be the table's fault, not the clerk's. The full tables
    (`gongjiang refdata load`) check every code."""
    if region_ever_existed(code):
        return True
    version = current_version(Scheme.REGION)
    partial = version is None or version.demo_subset
    return partial and len(code) == 6 and code.isdigit() and code[:2] in PROVINCE_CODES and code[2:] != "0000"


def ancestors(concept: Concept) -> list[Concept]:
    chain: list[Concept] = []
    node = concept.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def children(concept: Concept) -> QuerySet[Concept]:
    return concept.children.order_by("code")


def normalise_query(q: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", q).split())[:MAX_QUERY_LENGTH]


def _rank(concept: Concept, q: str, lower: str) -> tuple[int, int, str]:
    if concept.code == q:
        score = 0
    elif concept.name == q:
        score = 1
    elif concept.code.startswith(q):
        score = 2
    elif concept.name.startswith(q):
        score = 3
    elif concept.pinyin_initials == lower or concept.pinyin == lower:
        score = 4
    elif q in concept.name:
        score = 5
    elif concept.pinyin_initials.startswith(lower) or concept.pinyin.startswith(lower):
        score = 6
    else:
        score = 7
    return (score, len(concept.name), concept.code)


def concept_search(
    scheme: str, q: str, *, level: int | None = None, as_of: dt.date | None = None, limit: int = 50
) -> list[Concept]:
    """Find concepts by code (prefix), name, alias or pinyin (full or initials), best first."""
    query = normalise_query(q)
    base = concepts(scheme, as_of)
    if level is not None:
        base = base.filter(level=level)
    if not query:
        return list(base.filter(parent__isnull=True).order_by("code")[:limit])
    lower = query.lower().replace(" ", "")
    condition = Q(name__contains=query) | Q(aliases__contains=query)
    if CODE_QUERY.match(query):
        condition |= Q(code__startswith=query) | Q(code__startswith=query.upper())
    if LETTERS.match(lower):
        condition |= Q(pinyin_initials__startswith=lower) | Q(pinyin__startswith=lower)
    elif HAN.search(query):
        # A character of the same sound (焊功 for 焊工) finds the name it sounds like.
        condition |= Q(pinyin__startswith=pinyin_of(query)[0])
    found = list(base.filter(condition).select_related("parent")[:SEARCH_CANDIDATES])
    found.sort(key=lambda c: _rank(c, query, lower))
    return found[:limit]


def occupation_labels() -> list[tuple[str, str, tuple[str, ...]]]:
    """The detailed occupations (level 4) of the current table with what else they are called: their
    aliases and the everyday title words of `job_title_words.txt` (电焊 for 焊工). A title word that
    is the name or an alias of another occupation is left to that one, as the coder does."""
    rows = list(concepts(Scheme.OCCUPATION).filter(level=4).values_list("code", "name", "aliases"))
    table_words = {w for _code, name, aliases in rows for w in (name, *aliases.split("|")) if w}
    rules = load_rules()
    labelled: list[tuple[str, str, tuple[str, ...]]] = []
    for code, name, aliases in rows:
        own = [a for a in aliases.split("|") if a]
        own += [w for w in rules.get(code, ()) if w not in table_words]
        labelled.append((code, name, tuple(dict.fromkeys(own))))
    return labelled


def crosswalk_targets(scheme: str, source_code: str) -> list[str]:
    version = current_version(scheme)
    if version is None:
        return []
    return list(
        Crosswalk.objects.filter(version=version, source_code=source_code)
        .order_by("target_code")
        .values_list("target_code", flat=True)
    )


def crosswalk_sources(scheme: str, target_code: str) -> list[str]:
    version = current_version(scheme)
    if version is None:
        return []
    return list(
        Crosswalk.objects.filter(version=version, target_code=target_code)
        .order_by("source_code")
        .values_list("source_code", flat=True)
    )


def major_class_levels(code: str) -> list[str]:
    """The class levels the catalogue allows for a major (中级工班, 高级工班, 预备技师班)."""
    major = concept_get(Scheme.MAJOR, code)
    if major is None:
        return []
    return list(major.attrs.get("class_levels", []))
