"""``python -m eval.load [--users 16] [--questions 50] [--burst N] [--soak MINUTES] [--out DIR]``

Load on the real app: ``python app.py`` in a subprocess on 127.0.0.1 (a free port, lexical only,
a fresh index cache), driven over HTTP by ``gradio_client`` users, the way an API caller uses it.

1. **load** — ``--users`` users at once, each with its own client, ask ``--questions`` questions
   each through ``/ask``; every response must equal what the library answers in-process for the
   same question (``qa.render.format_answer`` of ``ReportQA.answer``, as ``app.ask`` builds it).
   Errors, mismatches and latency (p50/p95/p99, wall time per request as the client sees it).
2. **burst** — more requests at once than the queue holds (``demo.queue(max_size=…)``, read from
   ``app``): the extra ones must be refused at once with a clear "queue is full" message, the
   accepted ones answered correctly, and the server must answer normally afterwards. Done twice:
   with ``gradio_client`` (what a caller sees) and with raw HTTP joins (the status and message).
3. **soak** (``--soak MINUTES``) — the load of 1. without pause; the server's RSS, threads and
   open files are sampled every ``--sample-every`` seconds to show that memory stays flat.

Writes ``<out>/load.json`` and ``load.md`` (default ``eval/results/``). The users run in this
process, so on a small machine they share its CPUs with the server: latencies are upper bounds.
Left out: the browser UI's chat endpoint (private; the browser test drives it), dense retrieval.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from eval.server import Server, running_app

log = logging.getLogger("eval.load")

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PROBE = "2018年全市共收到多少份政府信息公开申请？"


# -- the served app ------------------------------------------------------------------------------
def served_app(workdir: Path, env: dict[str, str] | None = None, ready_timeout: float = 90.0) -> Any:
    """The app under load (:func:`eval.server.running_app` with its environment: lexical only, its own
    cache, analytics off, offline; and a longer start-up allowance)."""
    return running_app(workdir, env, timeout=ready_timeout)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def process_sample(pid: int) -> dict[str, float]:
    """RSS (MB), threads and open file descriptors of the server (``/proc``; psutil not needed)."""
    status = {ln.split(":")[0]: ln.split(":", 1)[1].strip() for ln in Path(f"/proc/{pid}/status").read_text().splitlines()}
    try:
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        fds = -1
    return {"rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1), "threads": int(status["Threads"]), "fds": fds}


# -- questions and the in-process oracle ---------------------------------------------------------
@dataclass(frozen=True)
class Item:
    question: str
    expected: str  # the Markdown app.ask returns for it, computed in-process
    known_answer_found: bool  # an eval answer inside the in-process answer (for context only)


def oracle(env: dict[str, str]) -> list[Item]:
    """Answerable eval questions without history, with what the library answers in this process
    under the server's settings."""
    import qa
    from eval.dataset import load_questions
    from eval.score import contains_answer
    from qa.render import format_answer

    settings = qa.Settings.from_env(env, use_cache=False)
    pipeline = qa.ReportQA(settings=settings)
    items = []
    for q in load_questions():
        if not q.answerable or q.history or q.type == "followup":
            continue
        answer = pipeline.answer(q.question)
        items.append(Item(q.question, format_answer(answer, pipeline.raw, links=False),
                          contains_answer(answer.text, q.answers, every=q.type == "list")))
    return items


def queue_settings() -> dict[str, int | None]:
    """``max_size``, ``default_concurrency_limit`` and the analytics cap of the app's queue, from ``app.demo``."""
    import app

    q = app.demo._queue
    return {"max_size": q.max_size, "concurrency_limit": q.default_concurrency_limit,
            "analytics_max_events": getattr(q, "ANALYTICS_MAX_EVENTS", None)}


def make_client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


# -- measurements ----------------------------------------------------------------------------------
def percentiles(xs: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95, p99 (nearest rank), mean, max — in milliseconds when ``xs`` are seconds."""
    if not xs:
        return {"n": 0}
    s = sorted(xs)

    def rank(p: float) -> float:
        return s[min(len(s) - 1, max(0, round(p * len(s) + 0.5) - 1))]

    return {"n": len(s), "p50_ms": round(1000 * statistics.median(s), 1), "p95_ms": round(1000 * rank(0.95), 1),
            "p99_ms": round(1000 * rank(0.99), 1), "mean_ms": round(1000 * statistics.fmean(s), 1),
            "max_ms": round(1000 * s[-1], 1)}


@dataclass
class Tally:
    """Outcomes of many requests, shared by user threads."""

    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    mismatches: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, item: Item, got: str | None, seconds: float, error: BaseException | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error is not None:
                self.errors[f"{type(error).__name__}: {str(error)[:160]}"] += 1
            elif got == item.expected:
                self.ok += 1
            else:
                self.mismatches.append(item.question)

    def summary(self, wall: float) -> dict[str, Any]:
        n = len(self.latencies)
        return {"requests": n, "correct": self.ok, "mismatches": len(self.mismatches),
                "mismatched_questions": sorted(set(self.mismatches))[:10], "errors": sum(self.errors.values()),
                "error_messages": dict(self.errors.most_common(10)), "wall_s": round(wall, 2),
                "throughput_rps": round(n / wall, 1) if wall else 0.0, "latency": percentiles(self.latencies)}


def ask_once(client: Any, item: Item, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        got = client.predict(item.question, api_name="/ask")
    except Exception as exc:  # every failure is a finding, counted by its message
        tally.record(item, None, time.perf_counter() - started, exc)
    else:
        tally.record(item, got, time.perf_counter() - started, None)


def run_load(url: str, items: Sequence[Item], users: int, per_user: int) -> dict[str, Any]:
    """``users`` clients at once, each asking ``per_user`` questions one after another."""
    clients = [make_client(url) for _ in range(users)]
    tally = Tally()
    start = threading.Barrier(users)

    def user(u: int) -> None:
        start.wait()
        for i in range(per_user):
            ask_once(clients[u], items[(u * 37 + i) % len(items)], tally)

    began = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    result = tally.summary(time.perf_counter() - began)
    result.update(users=users, questions_per_user=per_user, distinct_questions=len(items))
    return result


def run_client_burst(url: str, items: Sequence[Item], total: int, clients_n: int = 8,
                     timeout: float = 120.0) -> dict[str, Any]:
    """``total`` jobs submitted at once from ``clients_n`` gradio_client clients."""
    clients = [make_client(url) for _ in range(clients_n)]
    per = -(-total // clients_n)
    outcomes: Counter[str] = Counter()
    messages: dict[str, str] = {}
    jobs: list[tuple[Item, Any]] = []
    began = time.perf_counter()

    def submit(c: int) -> list[tuple[Item, Any]]:
        return [(item, clients[c].submit(item.question, api_name="/ask"))
                for item in (items[(c * per + i) % len(items)] for i in range(per))]

    with ThreadPoolExecutor(clients_n) as pool:
        for batch in pool.map(submit, range(clients_n)):
            jobs += batch
    submitted = time.perf_counter() - began
    for item, job in jobs:
        try:
            got = job.result(timeout=max(1.0, timeout - (time.perf_counter() - began)))
        except TimeoutError:
            outcomes["hung"] += 1
        except Exception as exc:
            key = type(exc).__name__
            outcomes[key] += 1
            messages.setdefault(key, str(exc)[:200])
        else:
            outcomes["answered correctly" if got == item.expected else "answered wrongly"] += 1
    return {"sent": len(jobs), "clients": clients_n, "submit_s": round(submitted, 2),
            "all_resolved_s": round(time.perf_counter() - began, 2), "outcomes": dict(outcomes),
            "messages": messages}


def run_http_burst(url: str, item: Item, total: int) -> dict[str, Any]:
    """``total`` raw ``POST /gradio_api/queue/join`` at once, then the results of the accepted."""
    import httpx

    base = url.rstrip("/") + "/gradio_api"
    fn_index = _ask_fn_index(url)

    async def go() -> dict[str, Any]:
        # one connection per request: a kept-alive connection that uvicorn closes after 5 idle
        # seconds while the burst is still being joined would fail on reuse (a client artefact)
        limits = httpx.Limits(max_connections=total, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=60) as http:
            session = uuid.uuid4().hex[:12]
            body = {"data": [item.question], "fn_index": fn_index, "session_hash": session,
                    "event_data": None, "trigger_id": None}

            async def join() -> tuple[int | str, str]:
                try:
                    r = await http.post(base + "/queue/join", json=body)
                except httpx.TransportError as exc:  # a dropped connection is a finding, not a crash
                    return type(exc).__name__, str(exc)
                return r.status_code, (r.json().get("detail", r.text) if r.status_code != 200 else "")

            began = time.perf_counter()
            responses = await asyncio.gather(*(join() for _ in range(total)))
            joined = time.perf_counter() - began
            codes = Counter(code for code, _ in responses)
            refusal = next((detail for code, detail in responses if code == 503), None)
            accepted = codes.get(200, 0)
            done: Counter[str] = Counter()
            async with http.stream("GET", base + "/queue/data", params={"session_hash": session}) as stream:
                async for line in stream.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    msg = json.loads(line[5:])
                    if msg.get("msg") == "process_completed":
                        out = (msg.get("output") or {}).get("data") or [None]
                        ok = msg.get("success") and out[0] == item.expected
                        done["answered correctly" if ok else "failed or wrong"] += 1
                    if sum(done.values()) >= accepted or msg.get("msg") == "close_stream":
                        break
            return {"sent": total, "status_codes": {str(k): v for k, v in sorted(codes.items(), key=lambda kv: str(kv[0]))},
                    "refusal_detail": refusal, "accepted_results": dict(done), "joins_s": round(joined, 2),
                    "all_resolved_s": round(time.perf_counter() - began, 2)}

    async def bounded() -> dict[str, Any]:
        return await asyncio.wait_for(go(), timeout=180)

    try:
        return asyncio.run(bounded())
    except TimeoutError:
        return {"sent": total, "status_codes": {}, "refusal_detail": None, "accepted_results": {"hung": 1},
                "joins_s": None, "all_resolved_s": None}


def _ask_fn_index(url: str) -> int:
    with urllib.request.urlopen(url.rstrip("/") + "/config", timeout=10) as r:
        config = json.load(r)
    return next(int(d["id"]) for d in config["dependencies"] if d.get("api_name") == "ask")


def run_soak(server: Server, items: Sequence[Item], users: int, minutes: float, every: float) -> dict[str, Any]:
    """Continuous load for ``minutes``; the server sampled every ``every`` seconds."""
    clients = [make_client(server.url) for _ in range(users)]
    stop = threading.Event()
    windows: list[Tally] = [Tally()]
    samples: list[dict[str, float]] = []

    def user(u: int) -> None:
        i = 0
        while not stop.is_set():
            ask_once(clients[u], items[(u * 37 + i) % len(items)], windows[-1])
            i += 1

    began = time.perf_counter()
    samples.append({"t_s": 0.0, **process_sample(server.process.pid)})
    with ThreadPoolExecutor(users) as pool:
        futures = [pool.submit(user, u) for u in range(users)]
        end = began + 60 * minutes
        next_sample = began + every
        while time.perf_counter() < end and server.process.poll() is None:
            time.sleep(max(0.0, min(next_sample, end) - time.perf_counter()))
            if time.perf_counter() >= next_sample:
                samples.append({"t_s": round(time.perf_counter() - began, 1), **process_sample(server.process.pid)})
                windows.append(Tally())
                next_sample += every
        stop.set()
        for f in futures:
            f.result()
    wall = time.perf_counter() - began
    total = Tally()
    for w in windows:
        total.latencies += w.latencies
        total.ok += w.ok
        total.mismatches += w.mismatches
        total.errors.update(w.errors)
    rss = [s["rss_mb"] for s in samples]
    after_warmup = [s for s in samples if s["t_s"] >= min(60.0, wall / 3)] or samples
    slope = _slope([s["t_s"] / 60 for s in after_warmup], [s["rss_mb"] for s in after_warmup])
    last_third = [s for s in samples if s["t_s"] >= 2 * wall / 3] or samples
    slope_end = _slope([s["t_s"] / 60 for s in last_third], [s["rss_mb"] for s in last_third])
    result = total.summary(wall)
    result.update(
        users=users, minutes=minutes, sample_every_s=every, samples=samples,
        rss_mb={"first": rss[0], "after_warmup_first": after_warmup[0]["rss_mb"], "last": rss[-1], "max": max(rss),
                "after_warmup_range": round(max(s["rss_mb"] for s in after_warmup)
                                            - min(s["rss_mb"] for s in after_warmup), 1),
                "slope_mb_per_min_after_warmup": round(slope, 2),
                "slope_mb_per_min_last_third": round(slope_end, 2)},
        threads={"first": samples[0]["threads"], "last": samples[-1]["threads"], "max": max(s["threads"] for s in samples)},
        fds={"first": samples[0]["fds"], "last": samples[-1]["fds"], "max": max(s["fds"] for s in samples)},
        per_window_p95_ms=[percentiles(w.latencies).get("p95_ms") for w in windows if w.latencies],
    )
    return result


def _slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ``ys`` over ``xs`` (0 for fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def recovered(url: str, item: Item) -> dict[str, Any]:
    """One normal question after a burst: answered correctly, and how fast."""
    started = time.perf_counter()
    try:
        got = make_client(url).predict(item.question, api_name="/ask")
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ok": got == item.expected, "seconds": round(time.perf_counter() - started, 3)}


def machine() -> dict[str, Any]:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {"usable_cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "os": platform.platform(), "load_avg_start": [round(x, 2) for x in os.getloadavg()],
            "packages": {d: version(d) for d in ("gradio", "gradio_client", "bm25s", "jieba")}}


# -- the run -------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="report-qa-load-") as tmp:
        workdir = Path(tmp)
        result: dict[str, Any] = {"command": "python -m eval.load " + " ".join(sys.argv[1:]),
                                  "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                                  "machine": machine(), "queue": queue_settings()}
        result["server_env"] = dict(args.env)
        with served_app(workdir, env=dict(args.env)) as server:
            log.info("server on %s (pid %d)", server.url, server.process.pid)
            items = oracle(server.env)
            result["questions"] = {"distinct": len(items),
                                   "known_answer_in_library_answer": sum(i.known_answer_found for i in items)}
            result["server_at_start"] = process_sample(server.process.pid)
            log.info("load: %d users x %d questions", args.users, args.questions)
            result["load"] = run_load(server.url, items, args.users, args.questions)
            burst = args.burst or 5 * (result["queue"]["max_size"] or 64)
            log.info("burst: %d requests (queue max_size %s)", burst, result["queue"]["max_size"])
            result["burst_client"] = run_client_burst(server.url, items, burst)
            result["burst_client"]["then"] = recovered(server.url, items[0])
            result["burst_http"] = run_http_burst(server.url, items[0], burst)
            result["burst_http"]["then"] = recovered(server.url, items[1])
            if args.soak:
                log.info("soak: %g minutes", args.soak)
                result["soak"] = run_soak(server, items, args.users, args.soak, args.sample_every)
            accepted = (sum(v for k, v in result["burst_client"]["outcomes"].items() if k != "QueueError")
                        + result["burst_http"]["status_codes"].get("200", 0))
            result["events_served"] = (result["load"]["requests"] + accepted + 2
                                       + result.get("soak", {}).get("requests", 0))
            result["server_at_end"] = process_sample(server.process.pid)
            result["server_alive"] = server.process.poll() is None
            text = server.log_text()
            result["server_log"] = {"tracebacks": text.count("Traceback"),
                                    "error_lines": sum(" ERROR " in ln for ln in text.splitlines())}
        result["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        return result


def _lat(d: dict[str, Any]) -> str:
    return f"{d.get('p50_ms', '–')} / {d.get('p95_ms', '–')} / {d.get('p99_ms', '–')} / {d.get('max_ms', '–')}"


def markdown(r: dict[str, Any]) -> str:
    m, q, load = r["machine"], r["queue"], r["load"]
    lines = [
        "# report-qa under load",
        "",
        f"Command: `{r['command']}` on {r['started']}. The real app (`python app.py`, lexical only, "
        f"127.0.0.1) in a subprocess; the users are `gradio_client` clients in the load process, on the same "
        f"{m['usable_cpus']} CPU(s), so latencies include the clients' own work. Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". Load average {m['load_avg_start']} at the start, {r['load_avg_end']} at the end.",
        "",
        (f"Server environment: {', '.join(f'`{k}={v}`' for k, v in r['server_env'].items())}. "
         if r.get("server_env") else "")
        + f"Queue: `max_size={q['max_size']}`, `default_concurrency_limit={q['concurrency_limit']}`. "
        f"Questions: the {r['questions']['distinct']} answerable eval questions without history; every response "
        "is compared with the Markdown the library gives for the same question in-process.",
        "",
        "## Load",
        "",
        "| users × questions | requests | correct | mismatches | errors | wall (s) | req/s | latency p50 / p95 / p99 / max (ms) |",
        "|---|---|---|---|---|---|---|---|",
        f"| {load['users']} × {load['questions_per_user']} | {load['requests']} | {load['correct']} | "
        f"{load['mismatches']} | {load['errors']} | {load['wall_s']} | {load['throughput_rps']} | {_lat(load['latency'])} |",
        "",
    ]
    if load["error_messages"]:
        lines += ["Errors: " + "; ".join(f"{k} ×{v}" for k, v in load["error_messages"].items()), ""]
    bc, bh = r["burst_client"], r["burst_http"]
    lines += [
        "## Burst larger than the queue",
        "",
        f"**gradio_client**: {bc['sent']} jobs submitted from {bc['clients']} clients in {bc['submit_s']} s; "
        f"all resolved after {bc['all_resolved_s']} s: "
        + ", ".join(f"{k} {v}" for k, v in bc["outcomes"].items())
        + ". " + " ".join(f"{k}: “{v}”." for k, v in bc["messages"].items())
        + f" A question right after: {'answered correctly' if bc['then'].get('ok') else bc['then']}"
        + (f" in {bc['then']['seconds']} s." if bc["then"].get("ok") else "."),
        "",
        f"**raw HTTP** (`POST /gradio_api/queue/join` ×{bh['sent']} at once): status codes {bh['status_codes']}, "
        f"refusal “{bh['refusal_detail']}”; accepted: "
        + ", ".join(f"{k} {v}" for k, v in bh["accepted_results"].items())
        + f"; all resolved after {bh['all_resolved_s']} s. A question right after: "
        + ("answered correctly." if bh["then"].get("ok") else f"{bh['then']}."),
        "",
    ]
    if "soak" in r:
        s = r["soak"]
        rss = s["rss_mb"]
        lines += [
            f"## Soak: {s['minutes']:g} minutes, {s['users']} users without pause",
            "",
            "| requests | correct | mismatches | errors | req/s | latency p50 / p95 / p99 / max (ms) |",
            "|---|---|---|---|---|---|",
            f"| {s['requests']} | {s['correct']} | {s['mismatches']} | {s['errors']} | {s['throughput_rps']} | "
            f"{_lat(s['latency'])} |",
            "",
            f"Server RSS (MB), sampled every {s['sample_every_s']:g} s: {rss['first']} at the start, "
            f"{rss['after_warmup_first']} after warm-up, {rss['last']} at the end, max {rss['max']}; after warm-up it "
            f"moves within {rss['after_warmup_range']} MB, slope {rss['slope_mb_per_min_after_warmup']} MB/min "
            f"({rss['slope_mb_per_min_last_third']} MB/min over the last third). "
            f"Threads {s['threads']['first']} → {s['threads']['last']} (max {s['threads']['max']}), open files "
            f"{s['fds']['first']} → {s['fds']['last']} (max {s['fds']['max']}). p95 per {s['sample_every_s']:g}-s "
            f"window: {min(s['per_window_p95_ms'])}–{max(s['per_window_p95_ms'])} ms. Events the server handled in "
            f"this run: {r['events_served']}; Gradio keeps per-event analytics for the last "
            f"`GRADIO_ANALYTICS_MAX_EVENTS` of them ({r['server_env'].get('GRADIO_ANALYTICS_MAX_EVENTS') or q.get('analytics_max_events')}), "
            "which is what grows until that many have been served.",
            "",
            "| t (s) | " + " | ".join(f"{x['t_s']:g}" for x in s["samples"][:: max(1, len(s['samples']) // 12)]) + " |",
            "|---|" + "---|" * len(s["samples"][:: max(1, len(s['samples']) // 12)]),
            "| RSS (MB) | " + " | ".join(f"{x['rss_mb']}" for x in s["samples"][:: max(1, len(s['samples']) // 12)]) + " |",
            "",
        ]
    lines += [
        f"Server at the end: alive {r['server_alive']}, RSS {r['server_at_end']['rss_mb']} MB (start "
        f"{r['server_at_start']['rss_mb']} MB); tracebacks in its log: {r['server_log']['tracebacks']}, "
        f"ERROR lines: {r['server_log']['error_lines']}.",
        "",
    ]
    return "\n".join(lines)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return key, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent gradio_client users (default 16)")
    parser.add_argument("--questions", type=int, default=50, help="questions per user (default 50)")
    parser.add_argument("--burst", type=int, default=0, help="burst size (default 5 × the queue's max_size)")
    parser.add_argument("--soak", type=float, default=0.0, metavar="MINUTES", help="continuous load for MINUTES")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between RSS samples (soak)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", type=_pair,
                        help="an environment variable for the server (repeatable), e.g. GRADIO_ANALYTICS_MAX_EVENTS=1000")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if args.users < 1 or args.questions < 1 or args.soak < 0 or args.sample_every <= 0:
        parser.error("--users and --questions must be at least 1, --soak and --sample-every positive")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("httpx", "bm25s", "gradio_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (args.out / "load.md").write_text(markdown(result), "utf-8")
    print(markdown(result))
    load = result["load"]
    failed = load["errors"] or load["mismatches"] or not result["server_alive"]
    if "soak" in result:
        failed = failed or result["soak"]["errors"] or result["soak"]["mismatches"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
