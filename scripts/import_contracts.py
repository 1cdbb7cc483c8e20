"""An import-linter contract type that the built-in ones cannot express: apps reach each other
only through a short list of public modules (services, selectors, policies, models).

The built-in `forbidden` and `protected` contracts list the modules that may not be imported, so a
module added later would be open until someone remembers to list it; this one lists what is
allowed. Registered in pyproject.toml under `[tool.importlinter] contract_types`.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


class PublicModulesContract(Contract):
    """Each of `apps` (packages under the root) may be imported by another app only through its
    `public` submodules (and their descendants); `exempt` importers (the command line and the
    site's wiring, which assemble every app) may import anything."""

    type_name = "public_modules"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    exempt = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps: list[str] = list(self.apps)  # type: ignore[call-overload]
        public = set(self.public)  # type: ignore[call-overload]
        exempt: list[str] = list(self.exempt)  # type: ignore[call-overload]
        root = apps[0].split(".")[0]
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            own = _app_of(importer, apps)
            if own is None or any(importer == e or importer.startswith(e + ".") for e in exempt):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                theirs = _app_of(imported, apps)
                if theirs is None or theirs == own or not imported.startswith(root):
                    continue
                rest = imported[len(theirs) + 1 :].split(".") if imported != theirs else []
                if rest and rest[0] not in public:
                    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                    violations.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        public: list[str] = list(self.public)  # type: ignore[call-overload]
        output.print_error("Apps may use another app only through its " + ", ".join(public) + ":")
        output.new_line()
        for v in check.metadata["violations"]:
            output.print_error(f"- {v['importer']} -> {v['imported']} (l.{', '.join(map(str, v['lines']))})")
        output.new_line()


def _app_of(module: str, apps: list[str]) -> str | None:
    return next((app for app in apps if module == app or module.startswith(app + ".")), None)
