"""Who may do what: admin checks in the handler, documents resolved only from the
corpus, the token kept out of every log and crash, hashed voters, nothing unpickled."""

from __future__ import annotations

import ast
import builtins
import io
import json
import os
import secrets
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest

from bot.discord_app.commands import document_choices, resolve_document
from bot.feedback import FeedbackLog
from bot.harness.interactions import APPLICATION_COMMAND
from bot.harness.permissions import permission_value
from tests.discord_env import (
    REPO,
    DiscordEnv,
    embed_text,
    mention,
    reply_to,
    run_qabot,
    running_bot,
    slash,
)

ARTICLE = "000_6de46ddb6a965145.txt"
TOKEN = "MTE5ODc2NTQzMjEwOTg3NjU0Mw.GqAbot." + secrets.token_urlsafe(27)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("security"), cooldown=0, log_level="DEBUG", token=TOKEN
    ) as environment:
        yield environment


# --------------------------------------------------------------------------- admins


def reload_as(env: DiscordEnv, permissions) -> tuple[str, object]:
    user = env.new_user(permissions=permissions)
    handle = slash(env, "reload", user=user)
    return env.call(handle.wait_message(timeout=20), 25)["content"], handle


def test_reload_is_refused_in_the_handler_to_members_without_manage_server(env):
    (command,) = [c for c in env.fake.commands if c["name"] == "reload"]
    # Discord hides the command from them by default, but a server can change that:
    # here the command reaches the bot, which must still refuse.
    assert int(command["default_member_permissions"]) == permission_value(["manage_guild"])
    for permissions in (0, ["manage_messages", "kick_members", "ban_members"]):
        text, handle = reload_as(env, permissions)
        assert text == "Only server admins can reload the documents.", text
        assert handle.ephemeral and not handle.deferred
    assert "reload by admin" not in env.bot_log()


@pytest.mark.parametrize("permissions", [["manage_guild"], ["administrator"]])
def test_reload_works_for_members_with_manage_server_or_administrator(env, permissions):
    text, handle = reload_as(env, permissions)
    assert text.startswith("Reloaded: 2 documents"), text
    assert handle.ephemeral


# --------------------------------------------------------------------------- documents

CRAFTED = [
    "../../etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "https://example.com/passwd",
    f"../corpus/{ARTICLE}",
    f"./{ARTICLE}",
    f"{ARTICLE}/../../../etc/passwd",
    "~root/.ssh/id_rsa",
    "#999999",
    "#-1",
    "#²",  # a digit to str.isdigit, not to int()
    "#" + "9" * 5000,  # past Python's int-from-text limit
    "..",
    "%2e%2e%2fetc%2fpasswd",
]


def test_source_refuses_crafted_names_politely(env):
    user = env.new_user()
    for value in CRAFTED:
        handle = slash(env, "source", {"document": value}, user=user)
        message = env.call(handle.wait_message(timeout=10), 15)
        assert (
            "is in the corpus" in message["content"] and "No document called" in message["content"]
        ), (value, message)
        assert "root:" not in embed_text(message)
    assert "Traceback" not in env.bot_log()
    valid = slash(env, "source", {"document": "#0"}, user=user)
    assert "WIRED" in embed_text(env.call(valid.wait_message(timeout=10), 15))


def test_resolving_a_document_never_touches_the_file_system(seed_index, monkeypatch):
    bot = types.SimpleNamespace(service=types.SimpleNamespace(index=seed_index))
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args[:1])
        raise AssertionError(f"file system touched: {args[:1]}")

    for module, name in [
        (builtins, "open"),
        (io, "open"),
        (os, "open"),
        (os, "stat"),
        (os, "listdir"),
        (os, "scandir"),
    ]:
        monkeypatch.setattr(module, name, refuse)
    for name in ("open", "read_text", "read_bytes", "exists", "is_file", "resolve", "stat"):
        monkeypatch.setattr(Path, name, refuse)
    for value in CRAFTED:
        assert resolve_document(bot, value) is None, value
        assert document_choices(bot, value) == []
    assert resolve_document(bot, ARTICLE).doc_id == ARTICLE
    assert resolve_document(bot, "#0").doc_id == ARTICLE
    assert [c.value for c in document_choices(bot, "social")] == [ARTICLE]
    assert opened == []


# --------------------------------------------------------------------------- the token


def test_the_token_never_appears_in_a_debug_log_even_through_a_crash_path(env):
    # Traffic that puts secrets in URLs and payloads: slash commands (interaction tokens
    # in webhook URLs), a rate-limited followup (discord.py logs the URL), a reconnect
    # (RESUME carries the token), and an unknown command (a logged traceback).
    env.fake.inject_failure("POST", r"^/webhooks/\d+/[^/]+$", 429, times=1, retry_after=0.05)
    handles = [slash(env, "ask", {"question": "Who is Leland Dodek?"}) for _ in range(2)]
    for handle in handles:
        assert "Dodek" in embed_text(env.call(handle.wait_message(timeout=15), 20))
    resumes = env.fake.resume_count
    env.call(env.fake.drop_gateway(code=4000))
    env.call(env.fake.wait_until(lambda: env.fake.resume_count > resumes, timeout=20), 25)
    ghost = env.call(
        env.fake._start_interaction(
            APPLICATION_COMMAND,
            {"id": "1", "name": "ghost", "type": 1, "options": []},
            user=env.new_user(),
            channel=env.fake.world.channel(env.channel),
            label="/ghost",
        )
    )
    assert "went wrong" in env.call(ghost.wait_message(timeout=10), 15)["content"]
    assert "Dodek" in embed_text(reply_to(env, mention(env, "Who is Leland Dodek?")))
    log = env.bot_log()
    assert "Traceback" in log  # the crash path was taken...
    assert "is rate limited" in log and "/webhooks/" in log
    assert TOKEN not in log  # ...and neither it nor anything else leaked the token
    for handle in [*handles, ghost]:
        assert handle.token not in log
    assert "[token]" in log  # the followup URLs were masked, not dropped


def run_at(env: DiscordEnv, endpoint: str) -> subprocess.CompletedProcess:
    return run_qabot(env.config, {"QABOT_DISCORD_ENDPOINT": endpoint, "DISCORD_TOKEN": TOKEN})


def test_unreachable_discord_is_one_line_without_the_token(env):
    result = run_at(env, "http://127.0.0.1:9")  # the discard port: nothing listens
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("qabot: error: cannot connect to Discord:"), result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout


CRASHING = """
import logging, sys, threading
from bot.discord_app.runner import install_redaction
token = sys.argv[1]
install_redaction(token)
logging.getLogger("x").error("header: Bot %s", token)
try:
    raise ValueError(token)
except ValueError:
    logging.getLogger("x").exception("caught")
def fail():
    raise KeyError(token)
thread = threading.Thread(target=fail)
thread.start()
thread.join()
raise RuntimeError("crash with " + token)
"""


def test_uncaught_exceptions_are_printed_with_the_token_masked():
    result = subprocess.run(
        [sys.executable, "-c", CRASHING, TOKEN],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 1
    assert TOKEN not in result.stderr, result.stderr
    assert "header: Bot [token]" in result.stderr
    assert "ValueError: [token]" in result.stderr  # a logged traceback
    assert "KeyError: '[token]'" in result.stderr  # a thread's uncaught exception
    assert "RuntimeError: crash with [token]" in result.stderr  # the process's own crash


# --------------------------------------------------------------------------- voters


def test_votes_store_a_salted_hash_never_the_user_id(tmp_path):
    user_id = 123456789012345678
    log = FeedbackLog(tmp_path / "votes" / "feedback.jsonl")
    entry = log.record(question="q", result_ids=["a#0-1"], vote="up", user_id=user_id)
    text = log.path.read_text()
    assert str(user_id) not in text and json.loads(text)["user"] == entry["user"]
    salt = log.path.with_name("feedback.jsonl.salt")
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(salt.read_text())) >= 16
    # Stable across restarts (the salt is kept), different under another salt.
    assert FeedbackLog(log.path).user_hash(user_id) == entry["user"]
    other = FeedbackLog(tmp_path / "elsewhere" / "feedback.jsonl")
    assert other.user_hash(user_id) != entry["user"]
    # Not a plain hash of the id.
    import hashlib

    plain = {
        hashlib.blake2b(str(user_id).encode(), digest_size=12).hexdigest(),
        hashlib.sha256(str(user_id).encode()).hexdigest()[:24],
    }
    assert entry["user"] not in plain


def test_an_empty_or_broken_salt_file_is_never_used_as_no_salt(tmp_path):
    user_id = 42
    path = tmp_path / "feedback.jsonl"
    unsalted = FeedbackLog(path)
    unsalted._salt = b""  # what an empty salt file used to give: an unkeyed hash
    for content in ("", "zz-not-hex", "abcd"):
        path.with_name("feedback.jsonl.salt").write_text(content)
        log = FeedbackLog(path)
        assert log.user_hash(user_id) != unsalted.user_hash(user_id), content
        assert len(bytes.fromhex(path.with_name("feedback.jsonl.salt").read_text())) >= 16


# --------------------------------------------------------------------------- no code from disk

FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "dill", "shelve", "marshal", "joblib"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
YAML_LOADS = {"load", "load_all"}  # safe only with an explicit safe Loader
UNSAFE_YAML = {"full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
UNSAFE_LOADERS = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def code_from_disk(source: str) -> list[str]:
    """Lines of ``source`` that unpickle, evaluate or load YAML unsafely."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            names = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
            if node.module == "yaml":
                names |= {f"yaml.{alias.name}" for alias in node.names}
        else:
            names = set()
        for name in names:
            short = name.removeprefix("yaml.")
            if name in FORBIDDEN_MODULES or (
                name.startswith("yaml.") and short in UNSAFE_YAML | YAML_LOADS | UNSAFE_LOADERS
            ):
                problems.append(f"{line}: imports {name}")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "yaml"
            and node.attr in UNSAFE_LOADERS | UNSAFE_YAML
        ):
            problems.append(f"{line}: yaml.{node.attr}")
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in FORBIDDEN_CALLS:
            problems.append(f"{line}: calls {function.id}()")
        if not (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name)):
            continue
        owner, attr = function.value.id, function.attr
        keywords = {k.arg: k.value for k in node.keywords}
        if owner == "yaml" and attr in YAML_LOADS:
            loader = keywords.get("Loader")
            name = getattr(loader, "attr", getattr(loader, "id", None))
            if name not in SAFE_LOADERS:
                problems.append(f"{line}: yaml.{attr}() without a safe Loader")
        if owner in ("np", "numpy") and attr == "load":
            allow = keywords.get("allow_pickle")
            if allow is not None and not (isinstance(allow, ast.Constant) and allow.value is False):
                problems.append(f"{line}: np.load(allow_pickle=...)")
        if owner in ("torch", "pd", "pandas") and attr in ("load", "read_pickle"):
            problems.append(f"{line}: {owner}.{attr}()")
    return problems


def test_nothing_read_from_disk_is_unpickled_or_evaluated():
    problems = [
        f"{path.relative_to(REPO)}:{problem}"
        for path in sorted((REPO / "bot").rglob("*.py"))
        for problem in code_from_disk(path.read_text(encoding="utf-8"))
    ]
    assert problems == []


@pytest.mark.parametrize(
    "snippet",
    [
        "import pickle",
        "from pickle import loads",
        "import marshal",
        "import shelve",
        "import yaml\nyaml.load(text)",
        "import yaml\nyaml.load(text, Loader=yaml.Loader)",
        "import yaml\nyaml.unsafe_load(text)",
        "import yaml\nyaml.full_load(text)",
        "from yaml import load",
        "eval('1')",
        "exec('x = 1')",
        "import numpy as np\nnp.load('x', allow_pickle=True)",
    ],
)
def test_the_source_scan_catches_each_forbidden_form(snippet):
    assert code_from_disk(snippet), snippet


def test_the_source_scan_accepts_the_safe_forms():
    safe = (
        "import yaml, re, json\n"
        "yaml.safe_load(t); yaml.compose(t, Loader=yaml.SafeLoader); json.loads(t)\n"
        "yaml.load(t, Loader=yaml.SafeLoader); re.compile('x')\n"
        "import numpy as np\nnp.load('x')\n"
    )
    assert code_from_disk(safe) == []


# --------------------------------------------------------------------------- links out

SECRET = "DISCORD_TOKEN=supersecretvalue123"
LINK_QUESTION = "what is the bot deployment config token"


def linked_corpus(tmp_path: Path) -> Path:
    """docs/ with a real document and, beside it, a secret a link could reach."""
    docs = tmp_path / "docs"
    write_file(docs / "guide.txt", "Deploy guide\n\nThe deployment runs the bot from a config.\n")
    write_file(tmp_path / "secret.env", f"Deploy notes\n\n{SECRET} for the bot deployment config\n")
    return docs


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def skipped_reasons(docs: Path, engine: str, index_dir: Path) -> dict[str, str]:
    from bot.answer.answerer import Answerer
    from bot.search.index import SearchIndex
    from tests.conftest import config_for

    index = SearchIndex.build(
        config_for([docs], retrieval={"engine": engine, "index_dir": index_dir})
    )
    answer = Answerer(index).answer(LINK_QUESTION)
    quoted = " ".join(item.passage.text for item in answer.items)
    assert "supersecretvalue123" not in quoted
    assert all("secret" not in doc_id for doc_id in index.corpus.documents)
    return {s.path: s.reason for s in index.corpus.skipped}


@pytest.mark.parametrize("engine", ["rank-bm25", "tantivy"])
def test_a_link_to_a_file_outside_the_corpus_is_not_read(tmp_path, engine):
    docs = linked_corpus(tmp_path)
    (docs / "notes.txt").symlink_to(tmp_path / "secret.env")
    reasons = skipped_reasons(docs, engine, tmp_path / "index")
    assert reasons == {"notes.txt": "link points outside the corpus"}


def test_a_chain_of_links_that_ends_outside_the_corpus_is_not_read(tmp_path):
    docs = linked_corpus(tmp_path)
    (tmp_path / "elsewhere.txt").symlink_to(tmp_path / "secret.env")
    (docs / "hop.txt").symlink_to(tmp_path / "elsewhere.txt")  # leaves the corpus...
    (docs / "notes.txt").symlink_to(docs / "hop.txt")  # ...through a link inside it
    reasons = skipped_reasons(docs, "rank-bm25", tmp_path / "index")
    assert reasons == {
        "hop.txt": "link points outside the corpus",
        "notes.txt": "link points outside the corpus",
    }


def test_a_link_to_a_device_is_skipped_without_reading_it(tmp_path):
    docs = linked_corpus(tmp_path)
    (docs / "zero.txt").symlink_to("/dev/zero")  # never ends if read
    reasons = skipped_reasons(docs, "rank-bm25", tmp_path / "index")
    assert reasons == {"zero.txt": "link points outside the corpus"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_link_to_a_fifo_inside_the_corpus_is_skipped_without_blocking(tmp_path):
    docs = linked_corpus(tmp_path)
    os.mkfifo(docs / "pipe")
    (docs / "pipe.txt").symlink_to(docs / "pipe")  # opening it to read would block forever
    reasons = skipped_reasons(docs, "rank-bm25", tmp_path / "index")
    assert reasons == {
        "pipe": "unsupported file type '(none)'",
        "pipe.txt": "not a regular file (a pipe, socket or device)",
    }


def test_a_metadata_sidecar_linked_out_of_its_folder_is_not_read(tmp_path):
    from bot.search.index import SearchIndex
    from tests.conftest import config_for

    docs = linked_corpus(tmp_path)
    write_file(tmp_path / "private.yaml", f"title: {SECRET}\nurl: https://example.org/{SECRET}\n")
    (docs / "guide.txt.meta.yaml").symlink_to(tmp_path / "private.yaml")
    index = SearchIndex.build(config_for([docs], retrieval={"engine": "rank-bm25"}))
    meta = index.corpus.documents["guide.txt"].meta
    assert meta.title == "Deploy guide" and meta.url is None
    (docs / "guide.txt.meta.yaml").unlink()
    (docs / "guide.txt.meta.yaml").symlink_to(docs / "guide.yaml")  # within its folder: fine
    write_file(docs / "guide.yaml", "title: The deploy guide\n")
    index = SearchIndex.build(config_for([docs], retrieval={"engine": "rank-bm25"}))
    assert index.corpus.documents["guide.txt"].meta.title == "The deploy guide"
