"""Fill the English catalogue from a {Chinese: English} table, keeping entries already translated.

Usage: python scripts/fill_translations.py TABLE.py  (TABLE.py defines a dict T)
The .po is regenerated with `gongjiang manage makemessages -l en` first; Django compiles it with
`compilemessages`. Entries still untranslated are listed, and the exit code is 1 if any remain.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "src/gongjiang/locale/en/LC_MESSAGES/django.po"
ENTRY = re.compile(r'(msgid ((?:".*"\n)+))msgstr ((?:".*"\n)+)', re.M)


def unquote(block: str) -> str:
    return "".join(re.findall(r'^"(.*)"$', block, re.M)).replace('\\"', '"')


def quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"\n'


def main() -> int:
    table: dict[str, str] = runpy.run_path(sys.argv[1])["T"]
    text = PO.read_text(encoding="utf-8")
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        msgid, current = unquote(match.group(2)), unquote(match.group(3))
        if not msgid or current:
            return match.group(0)
        if msgid not in table:
            missing.append(msgid)
            return match.group(0)
        return f"{match.group(1)}msgstr {quote(table[msgid])}"

    text = ENTRY.sub(fill, text).replace("#, fuzzy\n", "", 1)
    PO.write_text(text, encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
