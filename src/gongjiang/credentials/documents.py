"""The credentials as documents: VC 2.0 envelopes in the Open Badges 3.0 vocabulary, unsigned.

Only terms the two standard contexts define are used (JSON-LD safe mode refuses any other), and
Chinese text goes into the OB3 slots: the achievement's `name`, `fieldOfStudy`, `alignment`,
`otherIdentifier`, `resultDescription`, `evidence` (see notes/credentials.md). The text is the
certificate's own, in Chinese whatever the reader's language: a signed document is not translated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gongjiang.credentials.vc.loader import OB_V3, VC_V2
from gongjiang.credentials.vc.proofs import xsd_datetime
from gongjiang.credentials.vc.status_list import status_entry

# The skill levels, from 五级 to 一级, as the result description of every skill certificate;
# kept as data so that 特级技师 and 首席技师 can be added above level 1.
SKILL_LEVELS = (
    (5, "五级/初级工"),
    (4, "四级/中级工"),
    (3, "三级/高级工"),
    (2, "二级/技师"),
    (1, "一级/高级技师"),
)
LEVEL_NAMES = dict(SKILL_LEVELS)
CLASS_LEVEL_FRAMEWORK = "技工院校班级层次（中级工班、高级工班、预备技师（技师）班）"
OCCUPATION_FRAMEWORK = "中华人民共和国职业分类大典（2022年版）"


@dataclass(frozen=True)
class Issuer:
    did: str
    name: str
    uscc: str = ""
    filing_number: str = ""


@dataclass(frozen=True)
class Status:
    revocation_url: str
    revocation_index: int
    suspension_url: str
    suspension_index: int


@dataclass(frozen=True)
class Evidence:
    name: str
    description: str


@dataclass(frozen=True)
class SkillFacts:
    occupation_code: str
    occupation_name: str
    occupation_url: str
    level: int
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class DiplomaFacts:
    major_code: str
    major_name: str
    class_level: str
    class_level_name: str
    class_level_url: str


def _issuer(issuer: Issuer) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": issuer.did, "type": ["Profile"], "name": issuer.name}
    identifiers = []
    if issuer.uscc:
        identifiers.append({"type": ["IdentifierEntry"], "identifier": issuer.uscc, "identifierType": "ext:USCC"})
    if issuer.filing_number:
        identifiers.append(
            {"type": ["IdentifierEntry"], "identifier": issuer.filing_number, "identifierType": "ext:FilingNumber"}
        )
    if identifiers:
        profile["otherIdentifier"] = identifiers
    return profile


def _envelope(
    *, number: str, title: str, issuer: Issuer, holder_name: str, valid_from: dt.datetime, status: Status
) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:gongjiang:certificate:{number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": _issuer(issuer),
        "validFrom": xsd_datetime(valid_from),
        "awardedDate": xsd_datetime(valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": ["IdentityObject"], "identityHash": holder_name, "identityType": "name", "hashed": False}
            ],
        },
        # Revocation first: some verifiers read only the first entry.
        "credentialStatus": [
            status_entry(list_url=status.revocation_url, index=status.revocation_index, purpose="revocation"),
            status_entry(list_url=status.suspension_url, index=status.suspension_index, purpose="suspension"),
        ],
    }


def skill_credential(
    *, number: str, issuer: Issuer, holder_name: str, valid_from: dt.datetime, status: Status, facts: SkillFacts
) -> dict[str, Any]:
    """A 职业技能等级证书: the occupation as an alignment to its 大典 code, the level as a result."""
    title = "职业技能等级证书"
    achievement_id = f"urn:gongjiang:achievement:skill:{facts.occupation_code}:{facts.level}"
    levels_id = "urn:gongjiang:result:skill-levels"
    document = _envelope(
        number=number, title=title, issuer=issuer, holder_name=holder_name, valid_from=valid_from, status=status
    )
    document["credentialSubject"]["achievement"] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"{facts.occupation_name}（{LEVEL_NAMES[facts.level]}）",
        "description": f"{title}：{facts.occupation_name} {LEVEL_NAMES[facts.level]}",
        "criteria": {"narrative": "经备案评价机构职业技能等级认定合格。"},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": facts.occupation_name,
                "targetCode": facts.occupation_code,
                "targetFramework": OCCUPATION_FRAMEWORK,
                "targetUrl": facts.occupation_url,
                "targetType": "ext:Occupation",
            }
        ],
        "resultDescription": [
            {
                "id": levels_id,
                "type": ["ResultDescription"],
                "name": "职业技能等级",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {"id": f"{levels_id}:{level}", "type": ["RubricCriterionLevel"], "name": name}
                    for level, name in SKILL_LEVELS
                ],
            }
        ],
    }
    document["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": levels_id, "achievedLevel": f"{levels_id}:{facts.level}"}
    ]
    if facts.evidence:
        document["evidence"] = [
            {"type": ["Evidence"], "name": item.name, "description": item.description} for item in facts.evidence
        ]
    return document


def diploma_credential(
    *, number: str, issuer: Issuer, holder_name: str, valid_from: dt.datetime, status: Status, facts: DiplomaFacts
) -> dict[str, Any]:
    """A 毕业证书: the class level as an alignment and in the name, the major as field and code."""
    title = "毕业证书"
    document = _envelope(
        number=number, title=title, issuer=issuer, holder_name=holder_name, valid_from=valid_from, status=status
    )
    document["credentialSubject"]["achievement"] = {
        "id": f"urn:gongjiang:achievement:diploma:{facts.major_code}:{facts.class_level}",
        "type": ["Achievement"],
        "achievementType": "Diploma",
        "name": f"{facts.major_name}专业（{facts.class_level_name}）毕业",
        "description": f"{title}：{facts.major_name}专业 {facts.class_level_name}",
        "criteria": {"narrative": "修完规定课程，成绩合格，准予毕业。"},
        "fieldOfStudy": facts.major_name,
        "otherIdentifier": [
            {"type": ["IdentifierEntry"], "identifier": facts.major_code, "identifierType": "ext:MajorCode"}
        ],
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": facts.class_level_name,
                "targetCode": facts.class_level,
                "targetFramework": CLASS_LEVEL_FRAMEWORK,
                "targetUrl": facts.class_level_url,
                "targetType": "ext:ClassLevel",
            }
        ],
    }
    return document
