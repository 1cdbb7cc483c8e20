"""Public verification in the browser: a valid credential shows its checks passed (and what
could not be checked in grey, never green); a tampered copy shows the failing signature."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from gongjiang.credentials.vc import keys
from tests.credentials.vcdata import Issuer, skill_certificate

pytestmark = pytest.mark.e2e


def verify_in_browser(page: Any, url: str, credential: dict[str, Any]) -> dict[str, str]:
    page.goto(f"{url}/credentials/verify/")
    page.fill("[data-testid=verify-credential]", json.dumps(credential, ensure_ascii=False))
    page.click("[data-testid=verify-submit]")
    page.wait_for_selector("[data-testid=verification]")
    rows = page.locator("tr[data-check]")
    return {
        rows.nth(i).get_attribute("data-check"): rows.nth(i).get_attribute("data-outcome") for i in range(rows.count())
    }


def test_public_verification_of_a_valid_and_a_tampered_credential(
    page: Any, live_server: Any, transactional_db: None
) -> None:
    issuer = Issuer(keys.generate_key())
    signed = issuer.sign(skill_certificate(issuer.did, status=issuer.status(77)))

    found = verify_in_browser(page, live_server.url, signed)
    assert found["proof"] == found["issuer_key"] == found["validity"] == "passed"
    assert found["revocation"] == "unchecked"  # a list this site does not hold: unknown
    assert "结论：凭证有效" in page.locator("[data-testid=verdict]").inner_text()
    unchecked = page.locator("tr[data-outcome=unchecked] .status").first
    assert "no_data" in (unchecked.get_attribute("class") or "")
    assert unchecked.inner_text() == "未核对"

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["result"][0]["value"] = "一级/高级技师"
    found = verify_in_browser(page, live_server.url, tampered)
    assert found["proof"] == "failed"
    assert "签名无效" in page.locator("tr[data-check=proof]").inner_text()
    assert "结论：凭证无效" in page.locator("[data-testid=verdict]").inner_text()
