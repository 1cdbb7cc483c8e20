"""Chinese search over postings.

Text is segmented once, when a posting is saved, with jieba and the taxonomy's own words
(`refdata.text`), and kept as space-separated words in `Posting.search_text`. On PostgreSQL a
generated `tsvector` column over that text (the `simple` configuration: the words are already
cut) carries a GIN index, and a query becomes prefix matches of its words joined by AND, so
一体化 finds 一体化教师. Elsewhere (SQLite in the demo) each word is a substring match.

Words are searched by meaning, from the occupation catalogue (ADR 0035): a query word that is an
alias or an everyday title word of an occupation (电焊 of 焊工) also matches that occupation's
name, which every posting coded with it holds; a word of a kind
(实习, 学徒, 招聘) also matches postings of that kind, and those come first. Nothing else widens a
word: two words sharing a character (护理, 烹调) stay apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import jieba
from django.db import connection
from django.db.models import BooleanField, Count, FloatField, Max, Model, Q, QuerySet
from django.db.models.expressions import Expression
from django.utils import timezone

from gongjiang.market.models import Posting, PostingKind, PostingStatus
from gongjiang.refdata.selectors import dictionary_words, occupation_labels, pinyin_of, tokenizer

M = TypeVar("M", bound=Model)
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 8
# Letters, digits and CJK ideographs are kept; everything else separates words.
WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")
CJK = re.compile(r"[\u3400-\u9fff]+")
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


# Query words that name a kind of posting: they also match postings of that kind, ranked first.
# 招聘 is a stop word of the text (every job says it) and counts here only as the kind.
KIND_WORDS: dict[str, str] = {
    "实习": PostingKind.INTERNSHIP, "实习生": PostingKind.INTERNSHIP, "顶岗实习": PostingKind.INTERNSHIP,
    "学徒": PostingKind.APPRENTICESHIP, "学徒工": PostingKind.APPRENTICESHIP, "学徒制": PostingKind.APPRENTICESHIP,
    "招聘": PostingKind.JOB, "全职": PostingKind.JOB, "招工": PostingKind.JOB,
}  # fmt: skip
MAX_SENSES = 3  # a word naming more occupations than this is too vague to widen


def words(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """The search words of a text: normalised (full-width to half-width, lower case), segmented
    with the search mode (long words and their parts), stop words dropped unless in `keep`, order
    kept."""
    normal = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    for chunk in WORD.findall(normal):
        for word in _tokenizer().cut_for_search(chunk):
            word = word.strip()
            if word and (word not in STOP or word in keep):
                seen.setdefault(word, None)
    return list(seen)


def search_text(*parts: str) -> str:
    return " ".join(words(" ".join(p for p in parts if p)))


def query_words(q: str) -> list[str]:
    """The words of what someone typed in the search box, bounded (a 10,000-character query is
    cut, not refused: the first words are what they meant)."""
    found = words(q[:MAX_QUERY_CHARS], keep=frozenset(KIND_WORDS))
    # Prefer the longest words: the search mode also yields their parts, which add nothing to AND.
    kept = [w for w in found if not any(w != other and w in other for other in found)]
    return kept[:MAX_QUERY_WORDS]


def vector_search() -> bool:
    """Whether words are searched through the generated search vector (PostgreSQL), which also
    holds the filterable facts as lexemes (market migration 0008)."""
    return connection.vendor == "postgresql"


@functools.cache
def _senses() -> dict[str, tuple[str, ...]]:
    """Each alias and everyday title word of an occupation (folded) → the names of the occupations it
    stands for, which every posting coded with them holds among its words (`services._index`). An
    occupation's own name needs nothing more; a word standing for more than MAX_SENSES occupations
    is too vague to widen. Only the names are added, not the other words: each alternative is one
    more list the index reads (measured in benchmarks/README.md). Built once per process, like the
    tokeniser."""
    names = {_fold(name) for _code, name, _labels in occupation_labels()}
    by_label: dict[str, dict[str, None]] = {}
    for _code, name, labels in occupation_labels():
        for label in labels:
            folded = _fold(label)
            if folded not in names:
                by_label.setdefault(folded, {})[_fold(name)] = None
    return {label: tuple(found) for label, found in by_label.items() if len(found) <= MAX_SENSES}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


def senses(term: str) -> tuple[str, ...]:
    """The occupation names a query word also matches by meaning (电焊 → 焊工); none for most."""
    return _senses().get(term, ())


def preferred_kinds(terms: Sequence[str]) -> set[str]:
    """The kinds of posting the query words name (实习 → internship), which come first."""
    return {KIND_WORDS[t] for t in terms if t in KIND_WORDS}


@dataclass(frozen=True)
class TextQuery:
    """A PostgreSQL text query: `text` for `to_tsquery('simple', …)` (the words, each with the words
    of its meaning), and for each kind word its own text and the kind's lexeme, either of which
    matches (`'实习':*` or `_kinternship`); the lexeme is cast, not parsed, as it is no word."""

    text: str
    kinds: tuple[tuple[str, str], ...] = ()


def matching(queryset: QuerySet[M], terms: list[str]) -> tuple[QuerySet[M], TextQuery | None]:
    """Postings whose words contain every query word (`query_words`; as a prefix on PostgreSQL) or
    a word of its meaning (`senses`), a kind word matching postings of its kind as well, and the
    PostgreSQL text query they were matched with, to rank them by (`newest_matches`); None when
    there are no words, or on SQLite, where each word is a substring match and newest comes first."""
    if not terms:
        return queryset, None
    if vector_search():
        plain, kinds = [], []
        for term in terms:
            # An occupation's name is one word of every posting coded with it: matched whole.
            alternatives = [_quote(term) if _whole(term) else f"{_quote(term)}:*", *map(_quote, senses(term))]
            text = alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
            if term in KIND_WORDS:
                kinds.append((text, _quote(f"_k{KIND_WORDS[term]}")))
            else:
                plain.append(text)
        tsquery = TextQuery(" & ".join(plain), tuple(kinds))
        return queryset.filter(_VectorSQL("@@", tsquery)), tsquery
    condition = Q()
    for term in terms:
        either = Q(kind=KIND_WORDS[term]) if term in KIND_WORDS else Q()
        for word in (term, *senses(term)):
            either |= Q(search_text__contains=word)
        condition &= either
    return queryset.filter(condition), None


# A search with words reads its newest matches in slices of time, newest first, each slice older
# than the last (market migrations 0008 and 0011 put the month and the day of publication in the
# search vector): the first slice is the last FIRST_SLICE_DAYS days; each next one is sized from
# the rate of matches found so far to hold what is still missing, with SLICE_MARGIN to spare, and
# at most SLICE_GROWTH times the days already read; past MAX_SLICE_DAYS back, the rest of time at
# once. A slice of up to DAY_LEXEMES days asks the word index for those days; a longer one for the
# months it touches (the index checks every match of the word against each lexeme of the slice,
# so many days would cost more than they save), its bounds then kept by the rows' dates. A
# frequent word reads about as many rows as it keeps, whether the marketplace holds fifty thousand
# postings or a million and spans three months or three years; a rare word's few matches cost a
# few cheap index reads.
FIRST_SLICE_DAYS = 2
SLICE_MARGIN = 1.25
SLICE_GROWTH = 32
DAY_LEXEMES = 8
MAX_SLICE_DAYS = 730


def _whole(term: str) -> bool:
    """Whether a query word can be matched as it is rather than as a prefix. Segmenting for search
    also gives every two- and three-character dictionary word inside a longer word, so such a word
    is in the vector of every text whose words begin with it: matching it exactly finds the same
    postings, and saves the index from joining the lists of every word that begins with it."""
    return 2 <= len(term) <= 3 and bool(CJK.fullmatch(term)) and bool(_tokenizer().FREQ.get(term))


def newest_matches(
    queryset: QuerySet[M],
    tsquery: TextQuery | str,
    columns: Sequence[str],
    limit: int,
    now: dt.datetime | None = None,
    facts: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """The newest `limit` postings of `queryset` that match `tsquery` (from `matching`) and carry
    every lexeme in `facts` (filters kept in the vector, see market migration 0008), newest first,
    as `columns` followed by the rank (ts_rank) of each. PostgreSQL only.

    Read slice by slice (FIRST_SLICE_DAYS): every slice holds only postings older than the one
    before it, and each is read whole before the next, so the rows are those of one query over all
    of time."""
    tsquery = TextQuery(tsquery) if isinstance(tsquery, str) else tsquery
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    rows: list[tuple[Any, ...]] = []
    start: dt.date | None = today - dt.timedelta(days=FIRST_SLICE_DAYS - 1)
    stop: dt.date | None = None
    while True:
        assert start is not None
        read = (today - start).days + 1
        window: tuple[str, ...]
        if read > MAX_SLICE_DAYS:
            start, window = None, ()  # the rest of time
        else:
            # The first slice also takes tomorrow (UTC), for a posting stamped a moment ahead.
            window = _window(start, stop or today + dt.timedelta(days=2))
        within = _VectorSQL("@@", tsquery, days=window, facts=facts)
        sliced = queryset.filter(within)
        if start is not None:
            # The slice's bounds as a range of the publication date too: they trim the months of
            # a long slice, and a plan that walks the newest-first index stops at them.
            sliced = sliced.filter(published_at__gte=_midnight(start))
        if stop is not None:
            sliced = sliced.filter(published_at__lt=_midnight(stop))
        ranked = sliced.annotate(search_rank=_VectorSQL("rank", tsquery)).order_by("-published_at", "-pk")
        rows += ranked.values_list(*columns, "search_rank")[: limit - len(rows)]
        if len(rows) >= limit or start is None:
            return rows
        missing = limit - len(rows)
        wanted = math.ceil(read * missing / len(rows) * SLICE_MARGIN) if rows else read * SLICE_GROWTH
        start, stop = start - dt.timedelta(days=max(1, min(wanted, read * SLICE_GROWTH))), start


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _window(start: dt.date, stop: dt.date) -> tuple[str, ...]:
    """The search vector's lexemes for the UTC days from `start` up to `stop` (not included): each
    day (`_d20261208`) for up to DAY_LEXEMES days, else every month they touch (`_m202611`)."""
    if (stop - start).days <= DAY_LEXEMES:
        return tuple(f"_d{day:%Y%m%d}" for day in (start + dt.timedelta(days=n) for n in range((stop - start).days)))
    last = stop - dt.timedelta(days=1)
    serials = range(start.year * 12 + start.month - 1, last.year * 12 + last.month)
    return tuple(f"_m{serial // 12}{serial % 12 + 1:02d}" for serial in serials)


class _VectorSQL(Expression):
    """`search_vector @@ tsquery` (a condition) or `ts_rank(search_vector, tsquery)` (a float) on
    the generated column, which the model does not declare (it exists on PostgreSQL only). The
    column is qualified with the alias of the query it is compiled in, so the expression stays
    correct inside a subquery (where the table is U0, not market_posting)."""

    def __init__(
        self, operation: str, tsquery: TextQuery | str, days: Sequence[str] = (), facts: Sequence[str] = ()
    ) -> None:
        super().__init__(output_field=BooleanField() if operation == "@@" else FloatField())
        self.operation, self.days, self.facts = operation, tuple(days), tuple(facts)
        self.tsquery = TextQuery(tsquery) if isinstance(tsquery, str) else tsquery

    @property
    def conditional(self) -> bool:
        return self.operation == "@@"

    def _query_sql(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        if self.tsquery.text:
            parts.append("to_tsquery('simple', %s)")
            params.append(self.tsquery.text)
        for text, kind in self.tsquery.kinds:
            parts.append("(to_tsquery('simple', %s) || %s::tsquery)")
            params.extend([text, kind])
        return "(" + " && ".join(parts) + ")", params

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        column = f"{compiler.quote_name_unless_alias(compiler.query.get_initial_alias())}.search_vector"
        query, params = self._query_sql()
        if self.operation == "@@" and (self.days or self.facts):
            # These lexemes are not words: cast as they are, not parsed by a configuration.
            required = [_quote(f) for f in self.facts]
            if self.days:
                required.append("(" + " | ".join(_quote(d) for d in self.days) + ")")
            return f"{column} @@ ({query} && %s::tsquery)", [*params, " & ".join(required)]
        if self.operation == "@@":
            return f"{column} @@ {query}", params
        return f"ts_rank({column}, {query})", params


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


# GB/T 4754-2017: the divisions (the first two digits of a numeric code) of each section letter.
# A posting keeps the code as the table writes it (3421); its section (C) is what the market's
# industry facet and filter group by.
SECTION_DIVISIONS: dict[str, range] = {
    "A": range(1, 6), "B": range(6, 13), "C": range(13, 44), "D": range(44, 47), "E": range(47, 51),
    "F": range(51, 53), "G": range(53, 61), "H": range(61, 63), "I": range(63, 66), "J": range(66, 70),
    "K": range(70, 71), "L": range(71, 73), "M": range(73, 76), "N": range(76, 80), "O": range(80, 83),
    "P": range(83, 84), "Q": range(84, 86), "R": range(86, 91), "S": range(91, 97), "T": range(97, 98),
}  # fmt: skip


def industry_section(code: str) -> str:
    """The section letter of an industry code (C for 3421, for 34 and for C itself); "" if none."""
    if not code:
        return ""
    if code[0].isalpha():
        return code[0].upper()
    if len(code) >= 2 and code[:2].isdigit():
        division = int(code[:2])
        return next((letter for letter, divisions in SECTION_DIVISIONS.items() if division in divisions), "")
    return ""


# -- pinyin typed for Chinese words -----------------------------------------------------------

SPELLING = re.compile(r"[a-z]{2,40}")
SPELLING_POSTINGS = 3000  # the newest published postings whose words are learnt


class _Spellings:
    """Chinese words by their full pinyin: the taxonomy's names and their parts, and the words of
    the newest published postings (汽修, 数控), each spelling kept for the word met most often.
    Learnt again whenever the published postings have changed since, so their words count at once."""

    def __init__(self) -> None:
        self.state: tuple[Any, ...] | None = None
        self.words: dict[str, str] = {}

    def get(self, spelled: str) -> str | None:
        published = Posting.objects.filter(status=PostingStatus.PUBLISHED)
        state = tuple(published.aggregate(n=Count("pk"), newest=Max("pk"), changed=Max("updated_at")).values())
        if state != self.state:
            self.words, self.state = _learn_spellings(), state
        return self.words.get(spelled)


def _learn_spellings() -> dict[str, str]:
    seen: Counter[str] = Counter()
    for name, _tag in dictionary_words():
        seen.update(w for w in _tokenizer().cut_for_search(name) if CJK.fullmatch(w) and len(w) >= 2)
    texts = (
        Posting.objects.filter(status=PostingStatus.PUBLISHED)
        .order_by("-published_at")
        .values_list("search_text", flat=True)[:SPELLING_POSTINGS]
    )
    for text in texts:
        seen.update(w for w in text.split() if CJK.fullmatch(w) and len(w) >= 2)
    spellings: dict[str, str] = {}
    for word, _count in seen.most_common():
        spellings.setdefault(pinyin_of(word)[0], word)
    return spellings


_SPELLINGS = _Spellings()


def spelled_out(q: str) -> str | None:
    """What a query typed in pinyin spells ("shukong" → 数控, "qixiu xueyuan" → 汽修 学员): each
    space-separated part must be the full pinyin of a known word; None otherwise, or for a query
    that is not all letters."""
    parts = unicodedata.normalize("NFKC", q).lower().split()
    if not parts or not all(SPELLING.fullmatch(part) for part in parts):
        return None
    found = [_SPELLINGS.get(part) for part in parts]
    return " ".join(w for w in found if w) if all(found) else None
