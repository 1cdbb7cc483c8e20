"""Writes of the credentials app: filings (`filing`), certificates (`certificates`), share links
(`sharing`). Each is `<entity>_<verb>(*, actor, …)`: policy, validation, one transaction, audit."""

from gongjiang.credentials.services.filing import (
    equivalence_switch,
    filing_create,
    filing_end,
    filing_reinstate,
    filing_suspend,
)

__all__ = ["equivalence_switch", "filing_create", "filing_end", "filing_reinstate", "filing_suspend"]
