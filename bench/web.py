"""Benchmark the person profile and search pages as a signed-in practitioner would hit them.

With ``--maps``: the hotspot map and network pages and their JSON instead (server time per page,
one client; the target is a p95 under 100 ms), written to ``bench/results/web-maps-latest.md``.

Runs against PostgreSQL with the county-scale data set, serving with gunicorn's sync workers on
127.0.0.1. Every figure is reported beside the health check (one query, no template) measured in
the same run, as a ratio, so results compare across machines.

    .venv/bin/python bench/web.py \
        --database-url postgres://postgres@127.0.0.1:5432/contextsafe_bench \
        [--generate] [--seconds 15] [--connections 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765
TIMING = re.compile(r'app;dur=(?P<app>[\d.]+), db;desc="(?P<queries>\d+) queries"')


@dataclass
class Single:
    name: str
    client_median: float
    client_p95: float
    server_median: float
    server_p95: float
    queries: tuple[int, int]


@dataclass
class Load:
    name: str
    requests_per_second: float
    p50: str
    p99: str
    errors: str


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def setup_django(database_url: str) -> None:
    os.environ["CONTEXTSAFE_MODE"] = "test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contextsafe.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare_data(generate: bool) -> None:
    from django.core.management import call_command

    from people.models import Person

    call_command("migrate", verbosity=0)
    if generate and not Person.objects.exists():
        from demo.services import demo_partnership_load

        demo_partnership_load(password="bench-" + os.urandom(8).hex())
        started = time.perf_counter()
        call_command("generate_borough", "--scale", "county")
        print(f"county data set generated in {time.perf_counter() - started:.0f} s")


def signed_in_cookie(username: str) -> str:
    """A real session for a practitioner who has passed both sign-in steps."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "bench"}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.set_expiry(3600)
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def sample_paths(username: str, count: int) -> dict[str, list[str]]:
    from accounts.models import User
    from people.models import PersonName
    from people.selectors import visible_people

    viewer = User.objects.get(username=username)
    rng = random.Random(7)
    ids = list(
        visible_people(viewer).filter(kind="young_person").values_list("pk", flat=True)[:20000]
    )
    people = [f"/people/{pk}/" for pk in rng.sample(ids, min(count, len(ids)))]
    names = list(PersonName.objects.filter(kind="legal").values_list("name", flat=True)[:20000])
    queries = []
    for name in rng.sample(names, min(count, len(names))):
        if rng.random() < 0.3 and len(name) > 5:  # a typo, as people make them
            i = rng.randrange(1, len(name) - 1)
            name = name[:i] + name[i + 1 :]
        queries.append("/people/?name=" + name.replace(" ", "+"))
    # The search form with nothing asked: sign-in, second factor, permissions and the layout, no
    # record read and nothing audited; the least any signed-in page costs.
    return {
        "health check (baseline)": ["/healthz"],
        "signed-in page with nothing to look up (search form)": ["/people/"],
        "person profile": people,
        "search": queries,
    }


def sample_map_paths(username: str, count: int) -> dict[str, list[str]]:
    """The map and network pages, and the JSON behind them, for people the viewer may open."""
    from django.utils import timezone

    from accounts.models import User
    from people.selectors import visible_people

    viewer = User.objects.get(username=username)
    rng = random.Random(11)
    ids = list(
        visible_people(viewer).filter(kind="young_person").values_list("pk", flat=True)[:20000]
    )
    people = rng.sample(ids, min(count, len(ids)))
    network = "/mapping/network/person/{}/"
    # Maps are kept per counts' version and filters; a period not asked for before is worked
    # out afresh, as after any event is recorded: both figures matter.
    today = timezone.localdate()
    # Pages and their JSON get periods of their own, so neither finds what the other computed.
    fresh = [_period_query(today - dt.timedelta(days=365 + i), today) for i in range(count + 10)]
    fresh_data = [
        _period_query(today - dt.timedelta(days=365 + i), today)
        for i in range(count + 10, 2 * (count + 10))
    ]
    recent = today - dt.timedelta(days=90)
    before = recent - dt.timedelta(days=1)
    compared = [
        _period_query(recent, today, "recent_")
        + "&"
        + _period_query(before - dt.timedelta(days=180 + i), before, "earlier_")
        for i in range(2 * (count + 10))
    ]
    return {
        "health check (baseline)": ["/healthz"],
        "hotspot map page": ["/mapping/map/"],
        "hotspot map page, a new period each time (nothing kept)": [
            f"/mapping/map/?{q}" for q in fresh
        ],
        "hotspot map data (JSON)": ["/mapping/map/data/"],
        "hotspot map data, a new period each time (nothing kept)": [
            f"/mapping/map/data/?{q}" for q in fresh_data
        ],
        "events layer (JSON)": ["/mapping/map/events/"],
        "recorded places layer (JSON)": ["/mapping/map/places/"],
        "emerging map page": ["/mapping/map/emerging/"],
        "emerging map page, a new period each time (nothing kept)": [
            f"/mapping/map/emerging/?{q}" for q in compared[count + 10 :]
        ],
        "emerging map data (JSON)": ["/mapping/map/emerging/data/"],
        "emerging map data, a new period each time (nothing kept)": [
            f"/mapping/map/emerging/data/?{q}" for q in compared[: count + 10]
        ],
        "network page": [network.format(pk) for pk in people],
        "network data, depth 1 (JSON)": [network.format(pk) + "network.json" for pk in people],
        "network data, depth 2 (JSON)": [
            network.format(pk) + "network.json?depth=2" for pk in people
        ],
    }


def _period_query(since: dt.date, until: dt.date, prefix: str = "") -> str:
    parts = {f"{prefix}since": since, f"{prefix}until": until}
    return "&".join(
        f"{name}_{part}={getattr(day, part)}"
        for name, day in parts.items()
        for part in ("day", "month", "year")
    )


def warm_up(paths: dict[str, list[str]], cookie: str) -> None:
    """One request to each kind of page, with time to build the partnership graph (tens of
    seconds at county scale, once per worker process)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    for group in paths.values():
        conn.request("GET", group[0], headers={"Cookie": cookie, "Host": "localhost"})
        conn.getresponse().read()


def start_server(workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "contextsafe.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            # The first network request builds the county graph (tens of seconds).
            "--timeout",
            "600",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def single_client(name: str, paths: list[str], cookie: str, requests: int) -> Single:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    client_ms, server_ms, queries = [], [], []
    for i in range(requests + 10):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "localhost"})
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if i < 10:
            continue  # warm-up: connections, caches, imports
        timing = TIMING.search(response.getheader("Server-Timing", ""))
        assert timing is not None
        client_ms.append(elapsed)
        server_ms.append(float(timing["app"]))
        queries.append(int(timing["queries"]))
    return Single(
        name,
        statistics.median(client_ms),
        p95(client_ms),
        statistics.median(server_ms),
        p95(server_ms),
        (min(queries), max(queries)),
    )


def under_load(name: str, paths: list[str], cookie: str, seconds: int, connections: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths))
    env = {**os.environ, "BENCH_PATHS": handle.name, "BENCH_COOKIE": cookie}
    result = subprocess.run(  # noqa: S603 - wrk with fixed arguments against loopback only
        [
            shutil.which("wrk") or "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "--script",
            str(ROOT / "bench" / "paths.lua"),
            f"http://127.0.0.1:{PORT}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    distribution = out.split("Latency Distribution", 1)[1]
    p50 = re.search(r"50%\s+(\S+)", distribution).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", distribution).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(name, rps, p50, p99, errors.group(1) if errors else "0")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--generate",
        action="store_true",
        help="generate the county data set if the database is empty",
    )
    parser.add_argument("--user", default="sam.okafor")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--maps",
        action="store_true",
        help="time the map and network pages instead (one worker, one client)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The benchmark runs on PostgreSQL.")
    if shutil.which("wrk") is None and not args.maps:
        raise SystemExit("wrk is missing: apt-get install wrk")

    setup_django(args.database_url)
    prepare_data(args.generate)
    from events.models import Event
    from people.models import Person

    scale = f"{Person.objects.count():,} people, {Event.objects.count():,} events"
    cookie = signed_in_cookie(args.user)
    env = {**os.environ, "CONTEXTSAFE_MODE": "test", "DATABASE_URL": args.database_url}
    if args.maps:
        maps(args, scale, cookie, env)
        return
    paths = sample_paths(args.user, args.requests)
    server = start_server(args.workers, env)
    try:
        singles = [single_client(name, p, cookie, args.requests) for name, p in paths.items()]
        loads = [
            under_load(name, p, cookie, args.seconds, args.connections) for name, p in paths.items()
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(scale, args, singles, loads)


def maps(args: argparse.Namespace, scale: str, cookie: str, env: dict[str, str]) -> None:
    # One worker: each worker process builds and holds its own graph, so one warm worker is
    # what a steady server looks like; the figures are per request, not throughput.
    paths = sample_map_paths(args.user, args.requests)
    server = start_server(1, env)
    try:
        warm_up(paths, cookie)
        singles = [single_client(name, p, cookie, args.requests) for name, p in paths.items()]
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = singles[0]
    lines = [
        f"# Map and network pages — {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Data: {scale} (PostgreSQL). Server: gunicorn, 1 sync worker, on 127.0.0.1, warmed up "
        f"(graph built). Viewer: `{args.user}`. Baseline: the health check, same run. "
        f"{args.requests} requests per page after 10 warm-up requests; network pages for "
        f"{args.requests} different young people. Target: server time p95 under 100 ms.",
        "",
        "| page | server median | server p95 | p95 vs baseline | SQL queries | target |",
        "|---|---|---|---|---|---|",
    ]
    for s in singles:
        q = f"{s.queries[0]}" if s.queries[0] == s.queries[1] else f"{s.queries[0]}–{s.queries[1]}"
        met = "" if s is base else ("met" if s.server_p95 < 100 else "not met")
        lines.append(
            f"| {s.name} | {s.server_median:.1f} ms | {s.server_p95:.1f} ms | "
            f"{s.server_p95 / base.server_p95:.0f}× | {q} | {met} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / "web-maps-latest.md"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


def report(scale: str, args: argparse.Namespace, singles: list[Single], loads: list[Load]) -> None:
    base_single, base_load = singles[0], loads[0]
    lines = [
        f"# Web benchmark — {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Data: {scale} (PostgreSQL). Server: gunicorn, {args.workers} sync workers, on 127.0.0.1. "
        f"Viewer: `{args.user}`, signed in with both factors. Baseline: the health check "
        "(one query, no template), measured in the same run.",
        "",
        f"## One client, {args.requests} requests each (ms)",
        "",
        "| page | server median | server p95 | full request median | full request p95 "
        "| p95 vs baseline | SQL queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in singles:
        ratio = s.client_p95 / base_single.client_p95
        q = f"{s.queries[0]}" if s.queries[0] == s.queries[1] else f"{s.queries[0]}–{s.queries[1]}"
        lines.append(
            f"| {s.name} | {s.server_median:.1f} | {s.server_p95:.1f} | {s.client_median:.1f} | "
            f"{s.client_p95:.1f} | {ratio:.1f}× | {q} |"
        )
    lines += [
        "",
        f"## {args.connections} connections for {args.seconds} s (wrk)",
        "",
        "| page | pages/s | vs baseline | latency p50 | latency p99 | non-2xx |",
        "|---|---|---|---|---|---|",
    ]
    for load in loads:
        lines.append(
            f"| {load.name} | {load.requests_per_second:,.0f} | "
            f"{load.requests_per_second / base_load.requests_per_second:.2f}× | {load.p50} | "
            f"{load.p99} | {load.errors} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / "web-latest.md"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
