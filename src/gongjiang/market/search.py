"""Chinese search over postings.

Text is segmented once, when a posting is saved, with jieba and the taxonomy's own words
(`refdata.text`), and kept as space-separated words in `Posting.search_text`. On PostgreSQL a
generated `tsvector` column over that text (the `simple` configuration: the words are already
cut) carries a GIN index, and a query becomes prefix matches of its words joined by AND, so
一体化 finds 一体化教师. Elsewhere (SQLite in the demo) each word is a substring match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, TypeVar

import jieba
from django.db import connection
from django.db.models import BooleanField, FloatField, Model, Q, QuerySet
from django.db.models.expressions import Expression

from gongjiang.refdata.text import tokenizer

M = TypeVar("M", bound=Model)
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8
# Letters, digits and CJK ideographs are kept; everything else separates words.
WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")
STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "等",
        "为",
        "对",
        "有",
        "是",
        "我们",
        "公司",
        "岗位",
        "招聘",
        "急招",
        "诚聘",
        "包吃住",
    ]
)


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    return tokenizer()


def words(text: str) -> list[str]:
    """The search words of a text: normalised (full-width to half-width, lower case), segmented
    with the search mode (long words and their parts), stop words dropped, order kept."""
    normal = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    for chunk in WORD.findall(normal):
        for word in _tokenizer().cut_for_search(chunk):
            word = word.strip()
            if word and word not in STOP:
                seen.setdefault(word, None)
    return list(seen)


def search_text(*parts: str) -> str:
    return " ".join(words(" ".join(p for p in parts if p)))


def query_words(q: str) -> list[str]:
    """The words of what someone typed in the search box, bounded (a 10,000-character query is
    cut, not refused: the first words are what they meant)."""
    found = words(q[:MAX_QUERY_CHARS])
    # Prefer the longest words: the search mode also yields their parts, which add nothing to AND.
    kept = [w for w in found if not any(w != other and w in other for other in found)]
    return kept[:MAX_QUERY_WORDS]


def matching(queryset: QuerySet[M], q: str) -> tuple[QuerySet[M], bool]:
    """Postings whose words contain every query word (as a prefix on PostgreSQL), and whether
    they carry a `search_rank` to sort by (PostgreSQL's ts_rank)."""
    terms = query_words(q)
    if not terms:
        return queryset, False
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{_quote(t)}:*" for t in terms)
        found = queryset.filter(_VectorSQL("@@", tsquery)).annotate(search_rank=_VectorSQL("rank", tsquery))
        return found, True
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return queryset.filter(condition), False


class _VectorSQL(Expression):
    """`search_vector @@ tsquery` (a condition) or `ts_rank(search_vector, tsquery)` (a float) on
    the generated column, which the model does not declare (it exists on PostgreSQL only). The
    column is qualified with the alias of the query it is compiled in, so the expression stays
    correct inside a subquery (where the table is U0, not market_posting)."""

    def __init__(self, operation: str, tsquery: str) -> None:
        super().__init__(output_field=BooleanField() if operation == "@@" else FloatField())
        self.operation, self.tsquery = operation, tsquery

    @property
    def conditional(self) -> bool:
        return self.operation == "@@"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}.search_vector"
        if self.operation == "@@":
            return f"{column} @@ to_tsquery('simple', %s)", [self.tsquery]
        return f"ts_rank({column}, to_tsquery('simple', %s))", [self.tsquery]


def _quote(term: str) -> str:
    # A tsquery lexeme in single quotes; the words hold only letters, digits and ideographs.
    return "'" + term.replace("'", "") + "'"


def highlight(text: str, terms: list[str], limit: int = 160) -> list[tuple[str, bool]]:
    """`text` cut to about `limit` characters around the first match, as (piece, is_match) pairs
    for the template to mark; escaping stays the template's job."""
    if not text:
        return []
    lowered = unicodedata.normalize("NFKC", text).lower()
    if len(lowered) != len(text):
        lowered = text.lower()
    first = min((i for i in (lowered.find(t) for t in terms if t) if i >= 0), default=0)
    start = max(0, first - limit // 4)
    window, low = text[start : start + limit], lowered[start : start + limit]
    pieces: list[tuple[str, bool]] = [("…", False)] if start else []
    position = 0
    pattern = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t)
    if pattern:
        for match in re.finditer(pattern, low):
            if match.start() > position:
                pieces.append((window[position : match.start()], False))
            pieces.append((window[match.start() : match.end()], True))
            position = match.end()
    if position < len(window):
        pieces.append((window[position:], False))
    if start + limit < len(text):
        pieces.append(("…", False))
    return pieces
