"""The 产教对接谱系图: how a scope's majors reach industries through occupations, with graduates
supplied beside postings demanded.

Supply is the scope's full-time graduates of the year by major and school; demand is the
headcount of the year's published job and apprenticeship postings in the scope, by occupation
and industry. The links major → occupation → industry are the current crosswalks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gongjiang.directory.selectors import organisation_by_code
from gongjiang.insight.compute import Scope
from gongjiang.insight.engines import Engine
from gongjiang.insight.facts import major_industries
from gongjiang.refdata.models import Scheme
from gongjiang.refdata.selectors import concepts

SANKEY_MAJORS = 15


@dataclass(frozen=True)
class Link:
    major_code: str
    occupation_code: str
    industry_code: str
    section: str


@dataclass
class Picture:
    links: list[Link]
    supply: dict[tuple[str, str], int]  # (major, school) → graduates
    demand: dict[tuple[str, str], int]  # (occupation, industry class) → headcount
    offered: set[str] = field(default_factory=set)  # majors offered in the scope at the year's end
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)  # GB/T 4754 大类 (two digits) → 门类 letter

    def _name(self, kind: str, code: str) -> str:
        return self.names.get(kind, {}).get(code, code)

    def section(self, industry_code: str) -> str:
        """The 门类 of an industry code of any level ("" when it has none or is unknown), so that
        industries are shown at one level, never 门类 beside 大类."""
        if industry_code[:1].isalpha():
            return industry_code[:1].upper()
        return self.sections.get(industry_code[:2], "")

    def rows(self) -> list[dict[str, Any]]:
        """Per major: its occupations and industries (门类), graduates supplied, headcount
        demanded for its occupations, and the ratio of the two. An occupation's demand counts for
        every major leading to it, so the rows' demand does not add up: `shared` names how many
        other majors of the table lead to one of its occupations."""
        by_major: dict[str, set[str]] = defaultdict(set)
        industries: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            by_major[link.major_code].add(link.occupation_code)
            industries[link.major_code].add(link.section or self.section(link.industry_code))
        demand_by_occupation: dict[str, int] = defaultdict(int)
        for (occupation, _industry), headcount in self.demand.items():
            demand_by_occupation[occupation] += headcount
        supplied: dict[str, int] = defaultdict(int)
        for (major, _school), graduates in self.supply.items():
            supplied[major] += graduates
        listed = sorted(set(supplied) | self.offered, key=lambda m: (-supplied.get(m, 0), m))
        majors_of: dict[str, set[str]] = defaultdict(set)
        for major in listed:
            for occupation in by_major.get(major, ()):
                majors_of[occupation].add(major)
        rows = []
        for major in listed:
            occupations = by_major.get(major, set())
            demanded = sum(demand_by_occupation.get(o, 0) for o in occupations)
            graduates = supplied.get(major, 0)
            rows.append(
                {
                    "major": major,
                    "major_name": self._name("major", major),
                    "occupations": [self._name("occupation", o) for o in sorted(occupations)],
                    "industries": [self._name("industry", i) for i in sorted(industries.get(major, ())) if i],
                    "graduates": graduates,
                    "demand": demanded,
                    "shared": len(set().union(*(majors_of[o] for o in occupations)) - {major}) if occupations else 0,
                    "ratio": round(demanded / graduates, 2) if graduates else None,
                }
            )
        return rows

    def demand_once(self) -> int:
        """The headcount demanded for the occupations the table's majors lead to, each posting
        counted once however many majors share its occupation."""
        listed = {major for major, _school in self.supply} | self.offered
        wanted = {link.occupation_code for link in self.links if link.major_code in listed}
        return sum(n for (occupation, _industry), n in self.demand.items() if occupation in wanted)

    def sankey(self) -> dict[str, Any]:
        """ECharts Sankey data: industries → occupations → majors → schools, for the majors with the
        most graduates. Industry → occupation carries demand; the rest carries supply (a major's
        graduates shared equally among its occupations)."""
        supplied: dict[str, int] = defaultdict(int)
        for (major, _school), graduates in self.supply.items():
            supplied[major] += graduates
        top = sorted(supplied, key=lambda m: -supplied[m])[:SANKEY_MAJORS]
        occupations_of: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            if link.major_code in top:
                occupations_of[link.major_code].add(link.occupation_code)
        nodes: dict[str, str] = {}
        links: dict[tuple[str, str], float] = defaultdict(float)

        def node(kind: str, code: str) -> str:
            label = f"{self._name(kind, code)}"
            key = f"{kind}:{code}"
            nodes.setdefault(key, label)
            return key

        wanted = {o for major in top for o in occupations_of[major]}
        for (occupation, industry), headcount in self.demand.items():
            if occupation in wanted and headcount:
                links[(node("industry", self.section(industry)), node("occupation", occupation))] += headcount
        for major in top:
            occupations = sorted(occupations_of[major])
            for occupation in occupations:
                links[(node("occupation", occupation), node("major", major))] += supplied[major] / len(occupations)
            for (supplied_major, school), graduates in self.supply.items():
                if supplied_major == major and graduates:
                    links[(node("major", major), node("school", school))] += graduates
        used = {end for pair in links for end in pair}
        depth = {"industry": 0, "occupation": 1, "major": 2, "school": 3}
        return {
            "nodes": [
                {"name": key, "label": label, "depth": depth[key.split(":")[0]]}
                for key, label in nodes.items()
                if key in used
            ],
            "links": [{"source": s, "target": t, "value": round(v, 2)} for (s, t), v in links.items() if v > 0],
        }


def industry_names() -> dict[str, str]:
    return {c.code: c.name for c in concepts(Scheme.INDUSTRY)}


def supply_and_demand(engine: Engine, *, scope: Scope, year: int, school_names: dict[str, str]) -> Picture:
    graduates = scope.apply(engine.fact("graduates", [year]))
    graduates = graduates.filter(graduates.form == "full_time")
    supply_rows = engine.run(graduates.group_by(["major_code", "school_code"]).aggregate(n=graduates.count()))
    postings = engine.fact("postings", [year])
    if scope.kind == "region":
        postings = scope.apply(postings)
    elif scope.kind == "school":
        region = organisation_by_code(code=scope.code).region_code
        postings = Scope("region", f"{region[:4]}00").apply(postings)  # a school's graduates look in its city
    wanted = postings.filter(postings.kind.isin(("job", "apprenticeship")))
    demand_rows = engine.run(wanted.group_by(["occupation_code", "industry_code"]).aggregate(n=wanted.headcount.sum()))
    link_rows = engine.run(major_industries(engine.tables))
    majors = scope.apply(engine.fact("majors", [year]))
    offered = {r["major_code"] for r in engine.run(majors.select("major_code").distinct())}
    names = {
        "major": {c.code: c.name for c in concepts(Scheme.MAJOR)},
        "occupation": {c.code: c.name for c in concepts(Scheme.OCCUPATION)},
        "industry": industry_names(),
        "school": school_names,
    }
    names["industry"].setdefault("", _("未注明行业"))
    divisions = concepts(Scheme.INDUSTRY).filter(level=2, parent__isnull=False).select_related("parent")
    return Picture(
        links=[Link(r["major_code"], r["occupation_code"], r["industry_code"], r["section"] or "") for r in link_rows],
        supply={(r["major_code"], r["school_code"]): int(r["n"]) for r in supply_rows},
        demand={(r["occupation_code"] or "", r["industry_code"] or ""): int(r["n"] or 0) for r in demand_rows},
        offered=offered,
        names=names,
        sections={d.code: d.parent.code for d in divisions if d.parent is not None},
    )
