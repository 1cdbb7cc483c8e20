from __future__ import annotations

from typing import Any

import pytest

from gongjiang.directory.models import User
from tests.conftest import PASSWORD, PERSONA_USERS

pytestmark = pytest.mark.e2e

HOME_TEXT = {
    "bureau": "内蒙古自治区人力资源和社会保障厅",
    "bureau_other": "赤峰市人力资源和社会保障局",
    "school": "包头机电技师学院",
    "school2": "呼和浩特交通技师学院",
    "enterprise": "有限公司",
    "evaluator": "职业技能鉴定指导中心",
    "student": "王晓明的个人记录",
}


def login(page: Any, site: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")


def school_code(username: str) -> str:
    return User.objects.get(username=username).memberships.get().organisation.code


@pytest.mark.parametrize("persona", list(PERSONA_USERS))
def test_each_persona_logs_in_sees_its_home_and_is_refused_another_school(page: Any, site: str, persona: str) -> None:
    other_school = school_code("school")
    login(page, site, PERSONA_USERS[persona])
    assert HOME_TEXT[persona] in page.locator("[data-testid=home-title]").inner_text()
    assert PERSONA_USERS[persona] in page.locator("[data-testid=who]").inner_text()
    response = page.goto(f"{site}/orgs/{other_school}/")
    allowed = persona in ("bureau", "school")
    assert response.status == (200 if allowed else 404)
    if allowed:
        assert "包头机电技师学院" in page.locator("[data-testid=org-title]").inner_text()
    page.goto(f"{site}/")
    page.click("text=退出")
    page.wait_for_url(f"{site}/login/")


def test_bureau_home_lists_the_regions_schools(page: Any, site: str) -> None:
    login(page, site, "bureau")
    rows = page.locator("[data-testid=school-table] tbody tr")
    assert rows.count() == 12
    assert "技师学院" in rows.first.inner_text()


def test_learner_sees_a_masked_identity_number(page: Any, site: str) -> None:
    login(page, site, "student")
    masked = page.locator("[data-testid=masked-id]").inner_text()
    assert "********" in masked and len(masked) == 18


def test_wrong_password_gets_a_chinese_message_and_no_session(page: Any, site: str) -> None:
    login(page, site, "school", "not-the-password")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
    assert page.goto(f"{site}/orgs/").url.startswith(f"{site}/login/")


def test_refdata_browser_searches_by_pinyin_as_you_type(page: Any, site: str) -> None:
    page.goto(f"{site}/refdata/?scheme=occupation")
    page.fill("[data-testid=refdata-q]", "ylhly")
    results = page.locator("[data-testid=refdata-results]")
    results.get_by_text("养老护理员").wait_for()
    page.click("text=4-10-01-05")
    assert "养老护理员" in page.locator("[data-testid=concept-title]").inner_text()
    assert "养老服务" in page.content()  # the major that trains for it


def test_language_switch_to_english_and_back(page: Any, site: str) -> None:
    page.goto(f"{site}/")
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("nav.mainnav").get_by_text("Reference data").is_visible()
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    assert page.locator("nav.mainnav").get_by_text("参考数据").is_visible()


def test_api_docs_render_offline_from_bundled_files(page: Any, site: str) -> None:
    page.goto(f"{site}/api/v1/docs")
    page.locator(".swagger-ui .info").get_by_text("工匠 Gongjiang API").wait_for()
    assert page.locator(".opblock").count() >= 7
