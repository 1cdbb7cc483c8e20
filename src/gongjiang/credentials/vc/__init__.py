"""Verifiable credentials as a standards library: no database, no network.

Contexts are local copies (``contexts/``), canonicalisation is RDFC-1.0 through ``pyld`` with
a static document loader, proofs are ``eddsa-rdfc-2022`` Data Integrity proofs, and revocation
uses Bitstring Status Lists. See ADR 0025.
"""
