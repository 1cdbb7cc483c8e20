"""What idle and slow clients do to everyone else (issue 16, ADR 0022).

Opens IDLE plain TCP connections that never send a byte and SLOW "slowloris" connections that
send half a request and then one header line every few seconds, keeps them open, and meanwhile
times a normal client fetching /healthz and a page. Run it against any server:

    ./gj run python benchmarks/idle_connections.py --url http://127.0.0.1:8000 --idle 1000 --slow 50

Prints one JSON object: the normal client's latencies before and during the flood, and how many
of its requests failed or took longer than --timeout seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit


def open_idle(host: str, port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect((host, port))
        except OSError:
            s.close()
            continue
        sockets.append(s)
    return sockets


def open_slow(host: str, port: int, count: int, stop: threading.Event) -> list[socket.socket]:
    sockets = open_idle(host, port, count)
    for s in sockets:
        with contextlib.suppress(OSError):
            s.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())

    def drip() -> None:
        # One more header line every 2 s keeps a naive server's per-connection timer from firing.
        while not stop.wait(2):
            for s in sockets:
                with contextlib.suppress(OSError):
                    s.sendall(b"X-a: b\r\n")

    threading.Thread(target=drip, daemon=True).start()
    return sockets


def timed_get(url: str, timeout: float) -> float | None:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            if response.status != 200:
                return None
    except (OSError, urllib.error.URLError):
        return None
    return time.perf_counter() - started


def probe(base: str, paths: list[str], rounds: int, timeout: float) -> dict[str, object]:
    times: list[float] = []
    failures = 0
    for _ in range(rounds):
        for path in paths:
            took = timed_get(base + path, timeout)
            if took is None:
                failures += 1
            else:
                times.append(took)
    return {
        "requests": rounds * len(paths),
        "failed_or_timed_out": failures,
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "max_ms": round(max(times) * 1000, 1) if times else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--paths", default="/healthz,/login/")
    parser.add_argument("--hold", type=float, default=0, help="keep the connections open this many seconds more")
    args = parser.parse_args()
    split = urlsplit(args.url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    paths = args.paths.split(",")
    probe(args.url, paths, 1, 30)  # warm up: the first request of each process loads the application
    before = probe(args.url, paths, args.rounds, args.timeout)
    stop = threading.Event()
    started = time.perf_counter()
    idle = open_idle(host, port, args.idle)
    slow = open_slow(host, port, args.slow, stop)
    opened = time.perf_counter() - started
    during = probe(args.url, paths, args.rounds, args.timeout)
    time.sleep(args.hold)
    stop.set()
    for s in idle + slow:
        s.close()
    print(
        json.dumps(
            {
                "idle_opened": len(idle),
                "slow_opened": len(slow),
                "seconds_to_open": round(opened, 1),
                "before": before,
                "during": during,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
