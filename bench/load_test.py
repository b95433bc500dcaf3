"""Load test: the real ``qabot run`` against the local fake Discord, many users at once.

    .venv/bin/python bench/load_test.py [--passages 100000] [--questions 500]
        [--total 5000] [--users 20] [--in-flight 200] [--slash-share 0.1]
        [--heartbeat-ms 5000] [--data ../shared/data] [--workdir DIR] [--keep]

What it does
    1. Builds a corpus of at least ``--passages`` passages in a temporary folder
       from the BEIR sets in ``--data`` (SQuAD dev paragraphs, SciFact, Cranfield
       and CISI abstracts: about 10,000 records of real text). The records are
       written 25 to a Markdown file, each under its own ``#`` heading, so the
       corpus goes through the same loader as a user's folder. To reach the
       target, the records are repeated with variations: copy ``c`` of a record
       has its sentences rotated by ``c`` places and carries a tag word
       (``variant<c>``), so passages are distinct while vocabulary and lengths stay
       those of real text. Passages are counted with the bot's own splitter
       (``bot.documents.passages.passages_of``) while writing, until the target is reached.
    2. Starts the fake Discord (bot.harness) in this process and ``qabot run`` as
       a subprocess with a config that only sets the corpus, ``cooldown_seconds: 0``,
       a ``max_pending`` above ``--in-flight`` (so a burst waits instead of being
       refused; refusals would still be counted) and keeps caches in the temporary
       folder. Ranking is whatever ``qabot run`` does by default.
    3. ``--users`` members ask ``--questions`` questions (queries of the same BEIR
       sets), keeping ``--in-flight`` of them unanswered at once; ``--slash-share``
       of them use ``/ask``, the rest @mention the bot in one of five channels.
       The bot's RSS (VmRSS in /proc/<pid>/status) is read when it is ready, after
       ``--questions``, and after ``--total`` questions in all.
    4. Stops the bot with SIGTERM (it must exit 0) and reads its loop-lag summary
       line (``loop-lag p50=..ms p99=..ms max=..ms over N samples (whole run)``,
       logged by bot/discord_app/lag.py) from its log.

Checks (the exit status is 1 if one fails)
    every question got exactly one reply (none lost, none doubled); no answer was
    refused by the fake as Discord would refuse it; no gateway heartbeat was late
    (``fake.heartbeats``, interval --heartbeat-ms, grace 25 %); the bot exited 0
    without a traceback; RSS after --total is within 10 % of RSS after --questions.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.discord_app.texts import BUSY as BUSY_TEXT  # noqa: E402
from bot.documents.passages import passages_of  # noqa: E402
from bot.documents.sentences import split_sentences  # noqa: E402
from bot.harness import FakeDiscord  # noqa: E402

DATASETS = ("squad-dev-v1.1", "scifact", "cranfield", "cisi")
RECORDS_PER_FILE = 25
CHANNELS = ("general", "help", "questions", "random", "docs")
LAG = re.compile(
    r"loop-lag p50=([\d.]+)ms p99=([\d.]+)ms max=([\d.]+)ms over (\d+) samples \((.*?)\)"
)
QABOT = Path(sys.executable).with_name("qabot")


# ----------------------------------------------------------------------------- corpus


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def rotate(text: str, places: int) -> str:
    sentences = [text[s:e] for s, e in split_sentences(text)]
    if len(sentences) < 2:
        return text
    places %= len(sentences)
    return " ".join(sentences[places:] + sentences[:places])


def build_corpus(data: Path, folder: Path, target: int, settings) -> tuple[int, int, int]:
    """Write Markdown files until they hold ``target`` passages (as the bot splits them
    with the shipped corpus settings); returns (files, records, passages)."""
    from bot.documents.corpus import compile_ignore_patterns

    ignore = compile_ignore_patterns(settings.ignore_patterns)
    records = []
    for name in DATASETS:
        for row in read_jsonl(data / name / "corpus.jsonl"):
            text = " ".join(str(row.get("text", "")).split())
            if len(text.split()) >= 5:
                title = (
                    " ".join(str(row.get("title") or "").split())[:150] or f"{name} {row['_id']}"
                )
                records.append((name, title, text))
    if not records:
        raise SystemExit(f"no records in {data}")
    folder.mkdir(parents=True, exist_ok=True)
    passages = files = written = 0
    batch: list[str] = []

    def flush() -> None:
        nonlocal files, batch
        if batch:
            sub = folder / f"part{files // 1000:03}"
            sub.mkdir(exist_ok=True)
            (sub / f"doc{files:06}.md").write_text("\n\n".join(batch) + "\n", encoding="utf-8")
            files += 1
            batch = []

    for copy in itertools.count():
        for _dataset, title, text in records:
            body = text if copy == 0 else f"{rotate(text, copy)} variant{copy}"
            section = f"# {title}" + (f" ({copy})" if copy else "")
            passages += sum(
                1
                for _ in passages_of(
                    body,
                    0,
                    markdown=True,
                    ignore=ignore,
                    min_words=settings.min_passage_words,
                    max_chars=settings.max_passage_chars,
                    # A file's title is its first heading; a paragraph equal to it is dropped.
                    skip_title_line=section[2:] if not batch else None,
                )
            )
            batch.append(f"{section}\n\n{body}")
            written += 1
            if len(batch) == RECORDS_PER_FILE:
                flush()
            if passages >= target:
                flush()
                return files, written, passages


def questions_from(data: Path) -> list[str]:
    pool = []
    for name in DATASETS:
        path = data / name / "queries.jsonl"
        if path.exists():
            pool += [" ".join(str(q["text"]).split())[:400] for q in read_jsonl(path)]
    return [q for q in pool if len(q) > 8]


# ----------------------------------------------------------------------------- the bot


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and its parts (RssAnon: the heap; RssFile: mapped files such as an on-disk
    index) from /proc/<pid>/status, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            found[key] = int(value.split()[0]) / 1024
    return found


def rss_mb(pid: int) -> float:
    return memory_mb(pid)["VmRSS"]


def write_config(work: Path, args: argparse.Namespace) -> Path:
    from bot.config import RetrievalConfig

    retrieval = []
    fields = RetrievalConfig.__dataclass_fields__
    if "index_dir" in fields:
        retrieval.append("  index_dir: var/index")  # keep caches in the temporary folder
    if args.engine:
        retrieval.append(f"  engine: {args.engine}")
    for setting in args.retrieval:
        key, _, value = setting.partition("=")
        retrieval.append(f"  {key}: {value}")
    config = work / "qabot.yaml"
    config.write_text(
        "corpus:\n  paths: [corpus]\n"
        "discord:\n"
        "  cooldown_seconds: 0\n"
        f"  max_pending: {max(100, args.in_flight * 2)}\n"
        "  feedback_file: var/feedback.jsonl\n"
        "logging:\n  level: INFO\n"
        + ("retrieval:\n" + "\n".join(retrieval) + "\n" if retrieval else ""),
        encoding="utf-8",
    )
    return config


class Load:
    def __init__(self, fake: FakeDiscord, users, channels, questions, args) -> None:
        self.fake = fake
        self.users = users
        self.channels = channels
        self.questions = questions
        self.args = args
        self.rng = random.Random(args.seed)
        self.replies: dict[str, list[dict]] = {}  # question message id -> bot replies
        self.waiters: dict[str, asyncio.Future] = {}
        self.latencies: list[float] = []
        self.outcomes = {"answered": 0, "not found": 0, "busy": 0, "other": 0}
        self.in_flight = 0
        self.max_in_flight = 0
        self.asked = 0
        self.slash_handles = []
        fake.add_listener(self.on_bot_message)

    def on_bot_message(self, kind: str, message: dict) -> None:
        if kind != "create":
            return
        ref = (message.get("message_reference") or {}).get("message_id")
        if ref is None:
            return
        self.replies.setdefault(ref, []).append(message)
        waiter = self.waiters.pop(ref, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)

    def classify(self, message: dict) -> None:
        content = message.get("content") or ""
        if message.get("embeds"):
            self.outcomes["answered"] += 1
        elif content == BUSY_TEXT:
            self.outcomes["busy"] += 1
        elif "couldn't find" in content:
            self.outcomes["not found"] += 1
        else:
            self.outcomes["other"] += 1

    async def ask_one(self, number: int) -> None:
        user = self.users[number % len(self.users)]
        channel = self.channels[number % len(self.channels)]
        question = self.rng.choice(self.questions)
        started = time.perf_counter()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.rng.random() < self.args.slash_share:
                handle = await self.fake.invoke_slash(
                    "ask",
                    {"question": question},
                    user=user,
                    channel_id=channel,
                    guild_id=self.guild_id,
                )
                self.slash_handles.append(handle)
                message = await handle.wait_message(timeout=self.args.answer_timeout)
            else:
                bot_id = self.fake.bot_user.id
                posted = await self.fake.post_message(
                    channel, user, f"<@{bot_id}> {question}", mentions_bot=True
                )
                loop = asyncio.get_running_loop()
                waiter = loop.create_future()
                if posted["id"] in self.replies:
                    waiter.set_result(self.replies[posted["id"]][0])
                else:
                    self.waiters[posted["id"]] = waiter
                message = await asyncio.wait_for(waiter, self.args.answer_timeout)
            self.latencies.append(time.perf_counter() - started)
            self.classify(message)
        finally:
            self.in_flight -= 1

    async def run(self, count: int) -> float:
        """Ask ``count`` more questions, --in-flight at a time; returns the seconds taken."""
        started = time.perf_counter()
        limit = asyncio.Semaphore(self.args.in_flight)

        async def one(number: int) -> None:
            async with limit:
                await self.ask_one(number)

        tasks = [asyncio.ensure_future(one(self.asked + n)) for n in range(count)]
        self.asked += count
        results = await asyncio.gather(*tasks, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            print(f"  {len(failures)} question(s) got no reply in time: {failures[0]!r}")
        self.lost = getattr(self, "lost", 0) + len(failures)
        return time.perf_counter() - started


async def run_load(args: argparse.Namespace, work: Path) -> int:
    data = Path(args.data)
    print(f"building a corpus of at least {args.passages:,} passages in {work} ...", flush=True)
    started = time.perf_counter()
    from bot.config import load_config

    corpus_settings = load_config(REPO / "config" / "default.yaml").corpus
    marker = work / "corpus" / ".load-test.json"  # hidden files are not documents
    wanted = {"target": args.passages, "data": str(data.resolve())}
    built = json.loads(marker.read_text()) if marker.exists() else {}
    if {k: built.get(k) for k in wanted} == wanted:
        files, records, passages = built["files"], built["records"], built["passages"]
        print("  (reusing the corpus already in --workdir)")
    else:
        shutil.rmtree(work / "corpus", ignore_errors=True)
        files, records, passages = build_corpus(
            data, work / "corpus", args.passages, corpus_settings
        )
        marker.write_text(
            json.dumps(dict(wanted, files=files, records=records, passages=passages)),
            encoding="utf-8",
        )
    corpus_mb = sum(p.stat().st_size for p in (work / "corpus").rglob("*.md")) / 1e6
    print(
        f"  {files:,} files, {records:,} records, {passages:,} passages, {corpus_mb:.0f} MB "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    questions = questions_from(data)
    config = write_config(work, args)
    fake = FakeDiscord(heartbeat_interval_ms=args.heartbeat_ms)
    await fake.start()
    guild = await fake.add_guild("Load", channels=CHANNELS)
    channels = [guild.channel(name).id for name in CHANNELS]
    users = []
    for n in range(args.users):
        user = await fake.add_user(f"user{n}")
        await fake.add_member(guild, user)
        users.append(user)
    log_path = work / "bot.log"
    environment = {k: v for k, v in os.environ.items() if k not in ("QABOT_CONFIG",)}
    environment.update(DISCORD_TOKEN=fake.token, QABOT_DISCORD_ENDPOINT=fake.url)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [str(QABOT), "run", "--config", str(config)],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=work,
        )
        try:
            return await drive(
                args,
                fake,
                guild,
                users,
                channels,
                questions,
                process,
                log_path,
                {
                    "passages": passages,
                    "files": files,
                    "corpus_mb": corpus_mb,
                },
            )
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            await fake.close()


async def drive(args, fake, guild, users, channels, questions, process, log_path, corpus) -> int:
    print("starting qabot run ...", flush=True)
    started = time.perf_counter()

    def bot_log() -> str:
        return log_path.read_text(encoding="utf-8", errors="replace")

    await fake.wait_until(
        lambda: fake.identify_count > 0 or process.poll() is not None,
        timeout=args.ready_timeout,
        what="the bot to build its index and connect",
    )
    if process.poll() is not None:
        print(bot_log()[-3000:])
        return 1
    await fake.wait_ready(timeout=60)
    await fake.wait_for_commands("ask", timeout=60)
    ready_seconds = time.perf_counter() - started
    index_line = next((ln for ln in bot_log().splitlines() if "index ready" in ln), "")
    print(f"  ready in {ready_seconds:.0f} s: {index_line.split(': ', 1)[-1]}", flush=True)
    rss_ready = rss_mb(process.pid)
    series: list[tuple[int, dict[str, float]]] = []

    load = Load(fake, users, channels, questions, args)
    load.guild_id = guild.id
    print(f"asking {args.questions} questions ...", flush=True)
    seconds_first = await load.run(args.questions)
    await asyncio.sleep(1.0)
    series.append((load.asked, memory_mb(process.pid)))
    rss_first = series[-1][1]["VmRSS"]
    rest = max(0, args.total - args.questions)
    seconds_rest = 0.0
    if rest:
        print(f"asking {rest} more ({args.total} in all) ...", flush=True)
        while load.asked < args.total:  # in steps, to see whether memory levels off
            step = min(args.questions, args.total - load.asked)
            seconds_rest += await load.run(step)
            await asyncio.sleep(0.5)
            series.append((load.asked, memory_mb(process.pid)))
    rss_total = series[-1][1]["VmRSS"]
    await asyncio.sleep(1.0)  # room for a doubled reply to show

    process.send_signal(signal.SIGTERM)
    code = await asyncio.get_running_loop().run_in_executor(None, process.wait, 60)
    log = bot_log()
    lags = [m.groups() for m in LAG.finditer(log)]
    whole = next((g for g in lags if g[4] == "whole run"), None)
    windows = [g for g in lags if g[4] != "whole run"]

    # ------------------------------------------------------------------ checks
    slash_messages = sum(1 for h in load.slash_handles if h.followups)
    doubled = sum(1 for replies in load.replies.values() if len(replies) > 1)
    doubled += sum(1 for h in load.slash_handles if len(h.followups) > 1)
    replied = sum(1 for replies in load.replies.values() if replies) + slash_messages
    late = [h for h in fake.heartbeats if h.late]
    gaps = [h.gap for h in fake.heartbeats[1:]]
    latencies = sorted(load.latencies)

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0

    growth = (rss_total - rss_first) / rss_first * 100 if rss_first else 0.0
    rows = [
        (
            "corpus",
            f"{corpus['passages']:,} passages in {corpus['files']:,} files "
            f"({corpus['corpus_mb']:.0f} MB)",
        ),
        ("users / in flight", f"{args.users} users, up to {load.max_in_flight} unanswered at once"),
        ("questions asked", f"{load.asked:,} ({len(load.slash_handles)} by /ask)"),
        ("replies", f"{replied:,} (lost {load.asked - replied}, doubled {doubled})"),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in load.outcomes.items())),
        ("violations", str(len(fake.violations))),
        (
            "throughput",
            f"{args.questions / seconds_first:.1f} q/s (first {args.questions}), "
            + (f"{rest / seconds_rest:.1f} q/s (the rest)" if rest else "-"),
        ),
        (
            "reply latency",
            f"p50 {pct(latencies, 0.5):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms, "
            f"max {pct(latencies, 1):.0f} ms (with {args.in_flight} in flight)",
        ),
        (
            "heartbeats",
            f"{len(fake.heartbeats)}, late {len(late)}, longest gap "
            f"{max(gaps, default=0):.2f} s (interval {args.heartbeat_ms / 1000:.1f} s, "
            f"late past {args.heartbeat_ms / 1000 + fake.heartbeat_grace:.2f} s)",
        ),
        (
            "loop lag (whole run)",
            f"p50 {whole[0]} ms, p99 {whole[1]} ms, max {whole[2]} ms, {whole[3]} samples"
            if whole
            else "no summary line",
        ),
        (
            "loop lag (worst 60 s)",
            f"p99 {max(float(w[1]) for w in windows):.1f} ms" if windows else "-",
        ),
        (
            "RSS",
            f"ready {rss_ready:.0f} MB, after {args.questions} {rss_first:.0f} MB, after "
            f"{load.asked} {rss_total:.0f} MB ({growth:+.1f} %)",
        ),
        (
            "RSS by questions",
            ", ".join(f"{n}: {m['VmRSS']:.0f}" for n, m in series) + " MB",
        ),
        (
            "  of which heap",
            ", ".join(f"{n}: {m.get('RssAnon', 0):.0f}" for n, m in series) + " MB (RssAnon)",
        ),
        ("bot exit", f"{code}" + (" (traceback in log)" if "Traceback" in log else "")),
        ("build + connect", f"{ready_seconds:.0f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    failures = []
    if replied != load.asked or load.lost:
        failures.append("questions without a reply")
    if doubled:
        failures.append("doubled replies")
    if fake.violations:
        failures.append(f"violations: {fake.violations[:3]}")
    if late:
        failures.append(f"{len(late)} late heartbeats")
    if code != 0 or "Traceback" in log:
        failures.append("unclean exit")
    if rest and abs(growth) > 10:
        failures.append(f"RSS grew {growth:.1f} %")
    print("\n" + ("all checks passed" if not failures else "FAILED: " + "; ".join(failures)))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=500, help="first measurement point")
    parser.add_argument("--total", type=int, default=5000, help="questions in all (0: --questions)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--slash-share", type=float, default=0.1)
    parser.add_argument("--heartbeat-ms", type=int, default=5000)
    parser.add_argument("--engine", default=None, help="retrieval.engine (default: qabot's)")
    parser.add_argument(
        "--retrieval",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another retrieval setting, e.g. sentence_weight=0 (repeatable)",
    )
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--workdir", default=None, help="build here (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--ready-timeout", type=float, default=3600)
    parser.add_argument("--answer-timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.total = max(args.total, args.questions)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="qabot-load-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return asyncio.run(run_load(args, work))
    finally:
        if args.keep or args.workdir:
            print(f"(files kept in {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
