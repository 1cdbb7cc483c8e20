"""Load benchmark (issue 16): 100 simulated users with think time on the production setup.

Signed-in personas of the demo region read pages and the API and write (postings, inbox, queue
reads); one extra user keeps a registration import running (the school persona's import through
the API, 2,000 new students per workbook, one after another). Run by benchmarks/load/run.py.
Password: LOCUST_PASSWORD (the demo's `--password`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import time

from locust import HttpUser, between, events, task
from openpyxl import Workbook

PASSWORD = os.environ.get("LOCUST_PASSWORD", "bench-pass-2026")
IMPORT_ROWS = int(os.environ.get("LOCUST_IMPORT_ROWS", "2000"))
HEADERS = ["姓名", "身份证号", "专业代码", "班级", "班级层次", "学习形式", "入学日期", "联系电话", "民族"]


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return "10X98765432"[total % 11]


class Persona(HttpUser):
    abstract = True
    wait_time = between(3, 7)  # think time
    username = ""

    def on_start(self) -> None:
        self.client.get("/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"},
            name="login",
        )

    def api_post(self, path: str, name: str, **kwargs: object) -> None:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}
        self.client.post(path, headers=headers, name=name, **kwargs)  # type: ignore[arg-type]


class Public(HttpUser):
    weight = 15
    wait_time = between(3, 7)

    @task(3)
    def market(self) -> None:
        self.client.get("/market/", name="page: market")

    @task(2)
    def search(self) -> None:
        self.client.get(
            "/api/v1/market/postings?q=" + random.choice(["焊工", "电工", "数控", "汽车", ""]),
            name="api: postings search",
        )

    @task(1)
    def policies(self) -> None:
        self.client.get("/market/policies/", name="page: policies")


class Bureau(Persona):
    weight = 15
    username = "bureau"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/insight/", name="page: dashboard")

    @task(2)
    def queue(self) -> None:
        self.client.get("/registry/queue/", name="page: approval queue")

    @task(2)
    def schools(self) -> None:
        self.client.get("/registry/schools/", name="page: schools")

    @task(2)
    def moderation(self) -> None:
        self.client.get("/market/moderation/", name="page: moderation")

    @task(1)
    def api_queue(self) -> None:
        self.client.get("/api/v1/registry/queue?limit=50", name="api: queue")

    @task(1)
    def api_indicators(self) -> None:
        self.client.get("/api/v1/insight/indicators", name="api: indicators")


class School(Persona):
    weight = 30
    username = "school"

    @task(3)
    def registrations(self) -> None:
        self.client.get("/registry/registrations/", name="page: registrations")

    @task(1)
    def search(self) -> None:
        self.client.get(
            "/registry/registrations/?q=" + random.choice(["王", "李", "张"]), name="page: registrations search"
        )

    @task(2)
    def classes(self) -> None:
        self.client.get("/registry/classes/", name="page: classes")

    @task(2)
    def api_registrations(self) -> None:
        self.client.get("/api/v1/registry/registrations?limit=50", name="api: registrations")

    @task(1)
    def teachers(self) -> None:
        self.client.get("/registry/teachers/", name="page: teachers")

    @task(1)
    def partners(self) -> None:
        self.client.get("/market/partners/", name="page: partners")


class Enterprise(Persona):
    weight = 15
    username = "enterprise"

    @task(3)
    def mine(self) -> None:
        self.client.get("/market/mine/", name="page: my postings")

    @task(1)
    def post(self) -> None:
        deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        self.api_post(
            "/api/v1/market/postings",
            name="api write: posting",
            json={
                "kind": "job",
                "title": f"数控车工（压测 {random.randint(1, 10**6)}）",
                "description": "负责数控车床操作与日常保养，能看懂零件图纸。",
                "region_code": "150100",
                "headcount": 2,
                "deadline": deadline,
            },
        )

    @task(2)
    def api_mine(self) -> None:
        self.client.get("/api/v1/market/postings/mine", name="api: my postings")


class Student(Persona):
    weight = 25
    username = "student"

    @task(3)
    def recommendations(self) -> None:
        self.client.get("/market/recommendations/", name="page: recommendations")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="page: home")

    @task(1)
    def inbox(self) -> None:
        self.client.get("/market/inbox/", name="page: inbox")

    @task(1)
    def read_some(self) -> None:
        unread = [
            n["id"] for n in self.client.get("/api/v1/market/inbox", name="api: inbox").json()["items"] if not n["read"]
        ]
        self.api_post("/api/v1/market/inbox/read", name="api write: inbox read", json={"ids": unread[:3]})

    @task(1)
    def api_recommendations(self) -> None:
        self.client.get("/api/v1/market/recommendations", name="api: recommendations")


class Importer(Persona):
    """The one import running during the benchmark: the school's clerk uploads workbooks of new
    students through the API, one after another."""

    fixed_count = 1
    username = "school"
    wait_time = between(1, 2)

    def on_start(self) -> None:
        super().on_start()
        me = self.client.get("/api/v1/directory/me", name="api: me").json()
        self.school = me["organisation_code"]
        offerings = self.client.get("/api/v1/registry/offerings", name="api: offerings").json()["items"]
        self.majors = sorted({o["major_code"] for o in offerings if "intermediate" in o["class_levels"]})[:3]
        self.first = int(time.time()) // 10 % 20 * 100_000
        self.made = 0

    def workbook(self) -> bytes:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADERS)
        # Learner g of the run gets an ID of its own: born 2007-2012 in 150200 (the city itself, a
        # valid region no demo learner was born in), month and day from g % 336, sequence from
        # g // 336. Runs start 100,000 apart; a class of 45 has one major.
        for n in range(IMPORT_ROWS):
            g = self.first + self.made + n
            first17 = f"150200{2007 + g // 336_000}{1 + g % 12:02d}{1 + g // 12 % 28:02d}{g // 336 % 1000:03d}"
            sheet.append([
                f"压测{g}", first17 + check_digit(first17), self.majors[n // 45 % len(self.majors)],
                f"2026级压测{self.first // 100_000}-{self.made // IMPORT_ROWS}-{n // 45}班", "中级工班", "全日制", "2026-09-01",
                f"139{g:08d}", "汉族",
            ])  # fmt: skip
        self.made += IMPORT_ROWS
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    @task
    def run_import(self) -> None:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}
        with self.client.post(
            "/api/v1/registry/imports/registrations",
            name=f"import: registrations ({IMPORT_ROWS:,} rows)",
            data={"school": self.school},
            files={"file": ("registrations.xlsx", self.workbook())},
            headers=headers,
            catch_response=True,
        ) as response:
            report = response.json() if response.status_code == 200 else {}
            if report.get("errors") or report.get("created") != IMPORT_ROWS:
                response.failure(f"import did not create every row: {str(report.get('errors'))[:200]}")


@events.request.add_listener
def log_failure(
    request_type: str, name: str, response_time: float, response_length: int, exception: object, **kw: object
) -> None:
    if exception is not None and os.environ.get("LOCUST_SHOW_ERRORS"):
        response = kw.get("response")
        body = re.sub(r"\s+", " ", getattr(response, "text", "") or "")[:300]
        print(f"FAIL {name}: {exception} {body}")
