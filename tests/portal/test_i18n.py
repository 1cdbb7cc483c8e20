"""Chinese is the source language; every string has its English translation, compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import gongjiang

LOCALE = Path(gongjiang.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = {}
    for msgid, msgstr in re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text, re.M):

        def join(block: str) -> str:
            return "".join(re.findall(r'^"(.*)"$', block, re.M)).replace('\\"', '"').replace("\\n", "\n")

        entries[join(msgid)] = join(msgstr)
    entries.pop("", None)
    return entries


def test_every_string_has_an_english_translation() -> None:
    untranslated = [msgid for msgid, msgstr in po_entries().items() if not msgstr]
    assert not untranslated


def test_the_committed_catalogue_is_compiled_from_the_po() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in po_entries().items():
        assert compiled.gettext(msgid) == msgstr, msgid


def test_pages_follow_the_chosen_language(client, db: None) -> None:  # type: ignore[no-untyped-def]
    # An English browser still gets Chinese until the user picks English with the switch.
    assert "参考数据" in client.get("/refdata/", headers={"accept-language": "en"}).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/refdata/"})
    assert "Reference data" in client.get("/refdata/").content.decode()


def test_a_request_in_english_does_not_change_the_language_of_what_follows(client, db: None) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.get("/refdata/")
    assert translation.get_language() == "zh-hans"
