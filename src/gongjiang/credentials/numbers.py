"""Certificate and filing numbers (ADR 0026): random, not sequential, with a check character.

A number is a kind letter, the two-digit year of issue, twelve characters drawn at random from
Crockford's base-32 alphabet (60 bits: a guesser hits one of a million certificates once in a
billion billion tries) and an ISO 7064 MOD 37-36 check character, which catches any single
mistyped character and any swap of two neighbours.
"""

from __future__ import annotations

import re
import secrets

from stdnum.iso7064 import mod_37_36

# Crockford's alphabet: no I, L, O or U, which are read as 1, 1, 0 or V off paper.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 12
PREFIXES = {"diploma": "B", "skill": "Z", "filing": "F"}
_SHAPE = re.compile(r"^[BZF][0-9]{2}[0-9A-HJKMNP-TV-Z]{12}[0-9A-Z]$")


def new_number(kind: str, year: int) -> str:
    body = PREFIXES[kind] + f"{year % 100:02d}" + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + mod_37_36.calc_check_digit(body)


def normalise(text: str) -> str:
    """What people type: lower case, spaces and dashes, O for 0 and I/L for 1 (Crockford)."""
    cleaned = re.sub(r"[\s\-]", "", text.strip().upper()[:40])
    # Only the random part is drawn from Crockford's alphabet; the check character may be any letter.
    head, body, check = cleaned[:3], cleaned[3 : 3 + RANDOM_LENGTH], cleaned[3 + RANDOM_LENGTH :]
    return head + body.translate(str.maketrans("OIL", "011")) + check


def is_valid(number: str) -> bool:
    return bool(_SHAPE.match(number)) and mod_37_36.is_valid(number)
