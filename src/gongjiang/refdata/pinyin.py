"""Pinyin of names, as the reference tables keep it and as a search spells it."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

HAN_RUN = re.compile(r"([\u3400-\u9fff]+)")


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase, letters and digits only: 数控车工 → shukongchegong, skcg.

    One pypinyin call per run of Chinese characters; Latin letters and digits are kept whole in
    both (3D打印 → 3ddayin, 3ddy). Names repeat across tables (城关镇, 市辖区), hence the cache.
    """
    full: list[str] = []
    initials: list[str] = []
    for index, run in enumerate(HAN_RUN.split(name)):
        if index % 2:  # a run of Chinese characters
            syllables = lazy_pinyin(run)
            full.extend(syllables)
            initials.extend(s[:1] for s in syllables)
        else:
            kept = "".join(ch for ch in run if ch.isascii() and ch.isalnum()).lower()
            full.append(kept)
            initials.append(kept)
    return "".join(full), "".join(initials)
