"""Chinese word segmentation that knows the domain's words.

The taxonomy names (occupations, industries, majors, regions) become a jieba user dictionary,
so that 数控车工 or 养老护理员 stay one token instead of being cut into everyday words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import jieba

from gongjiang.refdata.models import Scheme

# jieba reports building its dictionary at DEBUG level on a handler of its own; nobody reads that.
jieba.setLogLevel(logging.WARNING)

DICTIONARY_SCHEMES = (Scheme.OCCUPATION, Scheme.INDUSTRY, Scheme.MAJOR, Scheme.REGION)
# High enough that a whole name wins over its parts in jieba's path search.
NAME_FREQUENCY = 20000
TAGS = {Scheme.OCCUPATION: "occ", Scheme.INDUSTRY: "ind", Scheme.MAJOR: "maj", Scheme.REGION: "ns"}


def dictionary_words(schemes: Iterable[str] = DICTIONARY_SCHEMES) -> list[tuple[str, str]]:
    """(word, tag) pairs, one per distinct name or alias, without spaces (jieba splits on them)."""
    # Imported here: the selectors module hands this tokeniser to other apps, so it imports us.
    from gongjiang.refdata.selectors import concepts

    words: dict[str, str] = {}
    for scheme in schemes:
        for name, aliases in concepts(scheme).values_list("name", "aliases"):
            for word in [name, *aliases.split("|")]:
                word = "".join(word.split())
                if len(word) >= 2 and word not in words:
                    words[word] = TAGS.get(Scheme(scheme), "n")
    return sorted(words.items())


def user_dictionary_text(schemes: Iterable[str] = DICTIONARY_SCHEMES) -> str:
    return "".join(f"{word} {NAME_FREQUENCY} {tag}\n" for word, tag in dictionary_words(schemes))


def write_user_dictionary(path: Path, schemes: Iterable[str] = DICTIONARY_SCHEMES) -> int:
    text = user_dictionary_text(schemes)
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def tokenizer(schemes: Iterable[str] = DICTIONARY_SCHEMES) -> jieba.Tokenizer:
    """A jieba tokenizer of its own (not the global one) with the taxonomy words added."""
    tk = jieba.Tokenizer()
    for word, tag in dictionary_words(schemes):
        tk.add_word(word, NAME_FREQUENCY, tag)
    return tk
