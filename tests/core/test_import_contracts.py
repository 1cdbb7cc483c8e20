"""The import-linter contract that lets apps meet only through their public modules (ADR 0028)."""

from __future__ import annotations

import grimp
from scripts.import_contracts import PublicModulesContract


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return graph


def _check(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    contract = PublicModulesContract(
        name="apps meet through public modules",
        session_options={"root_packages": ["g"]},
        contract_options={"apps": ["g.market", "g.registry"], "public": ["services", "models"], "exempt": ["g.cli"]},
    )
    check = contract.check(graph, verbose=False)
    found = [(v["importer"], v["imported"]) for v in check.metadata["violations"]]
    assert check.kept == (not found)
    return found


def test_only_the_public_modules_of_another_app_may_be_imported() -> None:
    graph = _graph(
        ("g.market.views", "g.registry.services"),  # public
        ("g.market.views", "g.registry.services.imports"),  # inside a public package
        ("g.market.views", "g.registry.models"),
        ("g.registry.views", "g.registry.forms"),  # within the app
        ("g.cli", "g.registry.views"),  # the command line assembles everything
        ("g.market.services", "g.core.sheets"),  # not an app
        ("g.market.views", "g.registry.views"),
        ("g.market.search", "g.registry.import_jobs"),
    )
    assert _check(graph) == [("g.market.search", "g.registry.import_jobs"), ("g.market.views", "g.registry.views")]
