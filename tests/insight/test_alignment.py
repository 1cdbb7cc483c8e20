"""The 产教对接谱系图's arithmetic on a hand-made picture: industries at one level, demand shared
between majors said and counted once, supply split across a major's occupations."""

from __future__ import annotations

from gongjiang.insight.alignment import Link, Picture


def _picture() -> Picture:
    # Two majors lead to the same occupation (车工); the second also to 电工.
    return Picture(
        links=[
            Link("0101-4", "6-18-01-01", "3420", ""),
            Link("0102-4", "6-18-01-01", "3420", ""),
            Link("0102-4", "6-31-01-03", "4411", ""),
        ],
        supply={("0101-4", "S1"): 30, ("0102-4", "S1"): 10, ("0102-4", "S2"): 10},
        # 车工 asked for by a 大类-coded posting (34 → C) and by a 门类-coded one; 电工 by a
        # posting in an industry the tables do not know, and by one naming none.
        demand={("6-18-01-01", "34"): 12, ("6-18-01-01", "C"): 3, ("6-31-01-03", "99"): 5, ("6-31-01-03", ""): 2},
        sections={"34": "C", "44": "D"},
    )


def test_industries_are_shown_as_sections() -> None:
    picture = _picture()
    assert picture.section("3420") == "C" and picture.section("c") == "C" and picture.section("99") == ""
    nodes = {n["name"] for n in picture.sankey()["nodes"] if n["name"].startswith("industry:")}
    assert nodes == {"industry:C", "industry:"}  # no "industry:34" beside "industry:C"
    links = {(link["source"], link["target"]): link["value"] for link in picture.sankey()["links"]}
    assert links[("industry:C", "occupation:6-18-01-01")] == 15
    assert links[("industry:", "occupation:6-31-01-03")] == 7
    # A major's graduates are split evenly across its occupations; each school gets its own.
    assert links[("occupation:6-18-01-01", "major:0102-4")] == 10
    assert links[("major:0102-4", "school:S2")] == 10


def test_demand_shared_between_majors_is_marked_and_counted_once() -> None:
    picture = _picture()
    rows = {r["major"]: r for r in picture.rows()}
    assert rows["0101-4"]["demand"] == 15 and rows["0101-4"]["shared"] == 1 and rows["0101-4"]["ratio"] == 0.5
    assert rows["0102-4"]["demand"] == 22 and rows["0102-4"]["shared"] == 1
    assert rows["0101-4"]["industries"] == ["C"] and sorted(rows["0102-4"]["industries"]) == ["C", "D"]
    assert picture.demand_once() == 22 < rows["0101-4"]["demand"] + rows["0102-4"]["demand"]
