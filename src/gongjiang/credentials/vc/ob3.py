"""Where Gongjiang's certificates keep their claims in the Open Badges 3.0 vocabulary.

The issuer (credentials services) writes these slots; the verifier reads them to ask the trust
registry whether the issuer was authorised for that kind, occupation and level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ``alignment.targetFramework`` of the occupation (职业分类大典 code in ``targetCode``).
OCCUPATION_FRAMEWORK = "中华人民共和国职业分类大典"
# ``alignment.targetFramework`` of a diploma's class level (中级工班 / 高级工班 / 预备技师班).
CLASS_LEVEL_FRAMEWORK = "技工院校培养层次"
ACHIEVEMENT_KINDS = {"Diploma": "diploma", "Certificate": "skill"}


@dataclass(frozen=True)
class Claims:
    """What the issuer must have been authorised for: kind, occupation code, level."""

    kind: str | None
    occupation_code: str | None
    level: str | None


def issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def claims(credential: dict[str, Any]) -> Claims:
    """The kind, occupation and level a credential claims (None where it states none)."""
    subject = _first(credential.get("credentialSubject"))
    subject = subject if isinstance(subject, dict) else {}
    achievement = _first(subject.get("achievement"))
    achievement = achievement if isinstance(achievement, dict) else {}
    kind = ACHIEVEMENT_KINDS.get(str(achievement.get("achievementType")))
    occupation = level = None
    alignments = achievement.get("alignment")
    for item in alignments if isinstance(alignments, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("targetFramework") == OCCUPATION_FRAMEWORK:
            occupation = str(item.get("targetCode") or "") or None
        elif item.get("targetFramework") == CLASS_LEVEL_FRAMEWORK:
            level = str(item.get("targetCode") or "") or None
    result = _first(subject.get("result"))
    if kind == "skill" and isinstance(result, dict) and result.get("value"):
        level = str(result["value"])
    return Claims(kind=kind, occupation_code=occupation, level=level)
