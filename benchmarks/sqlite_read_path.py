"""Readers and writers at once against `gongjiang serve` on a SQLite demo: p50/p95 per kind.

Readers (anonymous) fetch the home page, the marketplace and an API list; writers sign in as the
learner and then post "mark all messages read" again and again. Every request is timed from
send to last byte. Run it once per version of the code to compare, on the same data dir:

    ./gj run gongjiang demo --no-serve --scale small --data-dir /tmp/bench --password x
    ./gj run python benchmarks/sqlite_read_path.py --data-dir /tmp/bench --label after
    # the code before, from an export of that commit:
    PYTHONPATH=/tmp/before/src ./gj run python benchmarks/sqlite_read_path.py --data-dir /tmp/bench --label before

Results go to results/sqlite_read_path-LABEL.json.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

READ_PATHS = ["/", "/market/", "/api/v1/refdata/schemes"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(opener: urllib.request.OpenerDirector, request: urllib.request.Request | str) -> tuple[float, bool, str]:
    start = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as response:
            body = response.read().decode()
            ok = response.status < 400
    except (urllib.error.URLError, OSError):
        body, ok = "", False
    return time.perf_counter() - start, ok, body


def reader(base: str, stop: float, out: list[tuple[float, bool]]) -> None:
    opener = urllib.request.build_opener()
    i = 0
    while time.monotonic() < stop:
        elapsed, ok, _body = timed(opener, base + READ_PATHS[i % len(READ_PATHS)])
        out.append((elapsed, ok))
        i += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def sign_in(
    base: str, persona: str, password: str, out: list[tuple[float, bool]]
) -> tuple[http.cookiejar.CookieJar, str]:
    """Signs in (timed: a POST that writes a session and `last_login`, and hashes the password);
    returns the session's cookies and a CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _elapsed, _ok, page = timed(opener, base + "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        out.append((0.0, False))
        return jar, ""
    data = urllib.parse.urlencode({"username": persona, "password": password, "csrfmiddlewaretoken": token.group(1)})
    request = urllib.request.Request(base + "/login/", data=data.encode(), headers={"Referer": base + "/login/"})
    elapsed, ok, body = timed(opener, request)
    out.append((elapsed, ok and "退出" in body))
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return jar, found.group(1) if found else ""


def writer(
    base: str, persona: str, password: str, stop: float, logins: list[tuple[float, bool]], out: list[tuple[float, bool]]
) -> None:
    """Signs in, then marks the learner's messages read again and again (a POST whose write is
    one UPDATE in the request's transaction; the redirect that follows is not fetched)."""
    jar, token = sign_in(base, persona, password, logins)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    while time.monotonic() < stop:
        data = urllib.parse.urlencode({"form": "read", "all": "1", "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base + "/market/inbox/", data=data, headers={"Referer": base + "/"})
        start = time.perf_counter()
        try:
            opener.open(request, timeout=120).read()
            ok = False  # a 200 would be the form again: the write did not go through
        except urllib.error.HTTPError as exc:
            ok = exc.code == 302
        except (urllib.error.URLError, OSError):
            ok = False
        out.append((time.perf_counter() - start, ok))


def summary(samples: list[tuple[float, bool]]) -> dict[str, float | int]:
    times = sorted(t for t, ok in samples if ok)
    if not times:
        return {"requests": len(samples), "errors": len(samples)}
    return {
        "requests": len(samples),
        "errors": sum(not ok for _t, ok in samples),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "max_ms": round(times[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--password", default="x")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--label", default="run")
    args = parser.parse_args()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gongjiang.cli", "serve", "--data-dir", str(args.data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.3)
        stop = time.monotonic() + args.seconds
        reads: list[tuple[float, bool]] = []
        writes: list[tuple[float, bool]] = []
        logins: list[tuple[float, bool]] = []
        threads = [threading.Thread(target=reader, args=(base, stop, reads)) for _ in range(args.readers)]
        threads += [
            threading.Thread(target=writer, args=(base, "student", args.password, stop, logins, writes))
            for _ in range(args.writers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "label": args.label,
        "readers": args.readers,
        "writers": args.writers,
        "seconds": args.seconds,
        "reads": summary(reads),
        "writes (mark messages read, POST)": summary(writes),
        "sign-ins (POST, one per writer)": summary(logins),
    }
    out = Path(__file__).parent / "results" / f"sqlite_read_path-{args.label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
