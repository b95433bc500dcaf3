"""The ``qabot`` command line: ask, chat, index (and run, for the Discord bot).

Usage and configuration errors print one line and exit with status 2; a
question with no answer is not an error (exit 0).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections.abc import Sequence
from typing import NoReturn

from bot import __version__
from bot.answer.answerer import Answer, Answerer, clean_question
from bot.answer.render import plural
from bot.cli_text import answer_json, answer_text, result_text
from bot.config import Config, ConfigError, load_config, validate_paths
from bot.documents.corpus import CorpusError
from bot.search.index import SearchIndex

EXIT_USAGE = 2
CONFIG_HELP = "config file (default: $QABOT_CONFIG or config/default.yaml)"


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qabot", description="Answer questions from a set of documents.")
    parser.add_argument("--version", action="version", version=f"qabot {__version__}")
    # --config is accepted before the command too: `qabot --config my.yaml ask ...`.
    parser.add_argument("--config", dest="config_first", metavar="PATH", help=CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
        return sub

    ask = with_config(commands.add_parser("ask", help="answer one question"))
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument(
        "-k",
        type=_positive_int,
        default=None,
        help="up to K results, fewer when fewer passages match (default: retrieval.top_k)",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")

    with_config(commands.add_parser("chat", help="ask questions at a prompt, see Discord's reply"))
    with_config(commands.add_parser("index", help="build the index and print what it holds"))
    with_config(commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)"))
    evaluate = with_config(
        commands.add_parser("eval", help="measure answer quality on a benchmark")
    )
    evaluate.add_argument(
        "path", help="a BEIR-layout folder, a seed-format or a docs question file"
    )
    evaluate.add_argument(
        "corpus",
        nargs="?",
        help="docs question file only: the documents folder (default: --config's "
        "corpus.paths when given, else the file's root)",
    )
    evaluate.add_argument(
        "--engine", choices=["rank-bm25", "tantivy"], help="ranking engine (default: as configured)"
    )
    evaluate.add_argument("--split", default="test", help="qrels file in qrels/ (default: test)")
    evaluate.add_argument(
        "--docs", metavar="REGEX", help="only queries whose relevant documents match REGEX"
    )
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument(
        "-v", "--verbose", action="store_true", help="docs question file: list misses"
    )
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with --config taken from before or after the command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    first = args.__dict__.pop("config_first")
    if first is not None and args.config is not None and first != args.config:
        parser.error("--config given twice, before and after the command")
    args.config = args.config if args.config is not None else first
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = load_config(args.config)
        validate_paths(config)
        logging.basicConfig(
            level=config.logging.level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        if args.command == "run":
            from bot.discord_app.runner import run_bot  # imports discord only when needed

            return run_bot(config)
        handler = {"ask": cmd_ask, "chat": cmd_chat, "index": cmd_index, "eval": cmd_eval}[
            args.command
        ]
        return handler(config, args)
    except (ConfigError, CorpusError, UsageError) as exc:
        print(f"qabot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `qabot ask ... | head`
        sys.stderr.close()
        return 0


def build_index(config: Config, progress: bool = False) -> SearchIndex:
    return SearchIndex.build(config, progress=progress)


def cmd_ask(config: Config, args: argparse.Namespace) -> int:
    answerer = Answerer(build_index(config))
    answer = answerer.answer(args.question, args.k)
    asked = clean_question(args.question)
    if args.json:
        print(json.dumps(answer_json(answer, asked), ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer, asked))
    return 0


CHAT_HELP = (
    "Ask a question about the documents. After an answer, `more` shows the other "
    "results and `full N` the whole passage of result N. Ctrl-D or `quit` leaves."
)


def cmd_chat(config: Config, args: argparse.Namespace) -> int:
    answerer = Answerer(build_index(config))
    print(CHAT_HELP)
    answer: Answer | None = None
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if line.lower() in {"quit", "exit"}:
            return 0
        if line:
            reply, answer = chat_reply(answerer, answer, line)
            print(reply + "\n")


_CHAT_COMMAND = re.compile(r"(more|full)(?:\s+([0-9]{1,4}))?", re.IGNORECASE)


def chat_reply(answerer: Answerer, last: Answer | None, line: str) -> tuple[str, Answer | None]:
    """The reply to one chat line and the answer that `more` and `full N` then refer to."""
    command = _CHAT_COMMAND.fullmatch(line)
    if command and last is not None and last.answered:
        if command.group(1).lower() == "more":
            others = "\n\n".join(result_text(item) for item in last.items[1:])
            return others or "That was the only result.", last
        number = int(command.group(2) or 1)
        if 1 <= number <= len(last.items):
            return result_text(last.items[number - 1], whole=True), last
        choice = "`full 1`" if len(last.items) == 1 else f"`full 1` to `full {len(last.items)}`"
        return f"There is no result {number}; try {choice}.", last
    answer = answerer.answer(line)
    if not answer.answered:
        return answer_text(answer, clean_question(line)), answer
    others = len(answer.items) - 1
    hint = f"{plural(others, 'more result')}: `more`; " if others else ""
    return f"{result_text(answer.items[0])}\n  ({hint}the whole passage: `full 1`)", answer


def cmd_eval(config: Config, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.docs_eval import is_docs_question_file
    from bot.evaluation import (
        EvalError,
        evaluate,
        format_report,
        load_eval_set,
        require_pytrec_eval,
    )

    if is_docs_question_file(Path(args.path)):
        return cmd_eval_docs(config, args)
    if args.corpus:
        raise UsageError("a corpus folder is only taken with a docs question file")
    try:
        require_pytrec_eval()  # before reading a benchmark that may be large
        data = load_eval_set(Path(args.path), args.split, args.docs)
    except EvalError as exc:
        raise UsageError(str(exc)) from None
    report = evaluate(data, config, args.engine, progress=sys.stderr.isatty())
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0


def cmd_eval_docs(config: Config, args: argparse.Namespace) -> int:
    """Page hits, quoted answers and refusals on a docs question file (realdocs format)."""
    from pathlib import Path

    from bot.docs_eval import (
        DocsEvalError,
        eval_config,
        evaluate_docs,
        format_docs_report,
        load_docs_questions,
    )

    try:
        questions = load_docs_questions(Path(args.path))
    except DocsEvalError as exc:
        raise UsageError(str(exc)) from None
    corpus = Path(args.corpus) if args.corpus else None
    if corpus is None and not args.config:
        corpus = questions.root
    if corpus is not None and not corpus.exists():
        raise UsageError(f"corpus folder not found: {corpus}")
    config = eval_config(config, corpus, engine=args.engine)
    root = Path(args.corpus) if args.corpus else questions.root or config.corpus.paths[0]
    report = evaluate_docs(questions, config, root, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_docs_report(report, args.verbose))
    return 0


def cmd_index(config: Config, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    index = build_index(config, progress=True)
    seconds = time.perf_counter() - started
    corpus = index.corpus
    print(f"engine:      {index.engine.name}")
    report = index.store_report
    if report is not None:
        print(
            f"index:       {report.action} ({len(report.changed)} changed, "
            f"{len(report.added)} added, {len(report.deleted)} deleted files)"
        )
    print(f"documents:   {len(corpus.documents)}")
    print(f"passages:    {len(corpus.passages)}")
    print(f"vocabulary:  {index.vocabulary_size} terms")
    groups = sum(1 for group in index.synonyms.groups if group)
    print(f"synonyms:    {len(index.synonyms.pairs())} phrases in {groups} groups")
    print(f"build time:  {seconds:.3f} s")
    for document in corpus.documents.values():
        meta = document.meta
        date = f", {meta.date}" if meta.date else ""
        print(f"  {document.doc_id}: {plural(document.passage_count, 'passage')}")
        print(f"    “{meta.title}” ({meta.source}{date})")
    for line in skipped_summary(corpus.skipped):
        print(line)
    return 0


SKIP_HEADINGS = {
    "excluded": "excluded (corpus.exclude)",
    "merged": "merged (a source beside its page, shown as the page)",
    "repeat": "repeats (passages shown in the pages they repeat)",
    "skipped": "skipped",
}


def skipped_summary(skipped, examples: int = 5) -> list[str]:
    """What was not indexed: every unreadable file, and a count with a few examples
    for each kind left out on purpose (excluded, merged into a page...)."""
    unread = [item for item in skipped if item.kind == "skipped"]
    lines = [f"skipped:     {plural(len(unread), 'file')}"]
    lines += [f"  {item.path}: {item.reason}" for item in unread]
    by_kind: dict[str, list] = {}
    for item in skipped:
        if item.kind != "skipped":
            by_kind.setdefault(item.kind, []).append(item)
    for kind, items in by_kind.items():
        lines.append(f"{SKIP_HEADINGS.get(kind, kind)}: {len(items)}")
        lines += [f"  {item.path}: {item.reason}" for item in items[:examples]]
        if len(items) > examples:
            lines.append(f"  … and {len(items) - examples} more")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
