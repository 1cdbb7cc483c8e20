"""Fill the English catalogue from a {Chinese: English} table, keeping entries already translated.

Usage: python scripts/fill_translations.py TABLE.py  (TABLE.py defines a dict T)
Regenerate the .po first (`django-admin makemessages -l en`, see CONTRIBUTING.md) and compile it
after (`compilemessages`). Guesses gettext marks as fuzzy are discarded: a fuzzy entry is treated
as untranslated. Entries still untranslated are listed, and the exit code is 1 if any remain.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "src/gongjiang/locale/en/LC_MESSAGES/django.po"
MSG = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.M)


def unquote(block: str) -> str:
    return "".join(re.findall(r'^"(.*)"$', block, re.M)).replace('\\"', '"')


def quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"\n'


def fill_block(block: str, table: dict[str, str], missing: list[str]) -> str:
    fuzzy = "#, fuzzy" in block
    if fuzzy:
        block = "".join(line for line in block.splitlines(keepends=True) if not line.startswith(("#| ", "#, fuzzy")))
    match = MSG.search(block)
    if match is None:
        return block
    msgid, current = unquote(match.group(1)), "" if fuzzy else unquote(match.group(2))
    if not msgid or current:
        return block
    if msgid not in table:
        missing.append(msgid)
        return block[: match.start(2)] + '""\n' + block[match.end(2) :]
    return block[: match.start(2)] + quote(table[msgid]) + block[match.end(2) :]


def main() -> int:
    table: dict[str, str] = runpy.run_path(sys.argv[1])["T"] if len(sys.argv) > 1 else {}
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing: list[str] = []
    header, entries = blocks[0], blocks[1:]
    header = header.replace("#, fuzzy\n", "")
    filled = [fill_block(b if b.endswith("\n") else b + "\n", table, missing).rstrip("\n") for b in entries]
    PO.write_text("\n\n".join([header, *filled]) + "\n", encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
