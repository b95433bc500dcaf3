"""The ``qabot`` command line: ask, chat, index (and run, for the Discord bot).

Usage and configuration errors print one line and exit with status 2; a
question with no answer is not an error (exit 0).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import NoReturn

from bot import __version__
from bot.answer.answerer import Answer, Answerer
from bot.config import Config, ConfigError, load_config, validate_paths
from bot.documents.corpus import CorpusError
from bot.search.index import SearchIndex

EXIT_USAGE = 2


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qabot", description="Answer questions from a set of documents.")
    parser.add_argument("--version", action="version", version=f"qabot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def with_config(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--config",
            metavar="PATH",
            help="config file (default: $QABOT_CONFIG or config/default.yaml)",
        )
        return sub

    ask = with_config(commands.add_parser("ask", help="answer one question"))
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument(
        "-k", type=_positive_int, default=None, help="number of results (default: retrieval.top_k)"
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer))
    return 0


def answer_json(answer: Answer) -> dict:
    """The documented JSON shape of an answer."""
    return {
        "question": answer.question,
        "answered": answer.answered,
        "results": [
            {
                "rank": item.rank,
                "score": round(item.score, 4),
                "source": item.doc_id,
                "title": item.meta.title,
                "section": item.passage.section,
                "paragraph": item.passage.paragraph,
                "passage": item.passage.text,
                "excerpt": item.excerpt.text,
                "highlights": [list(span) for span in item.excerpt.highlights],
            }
            for item in answer.items
        ],
    }


def answer_text(answer: Answer) -> str:
    """A terminal rendering: each result's excerpt with **highlights** and its source."""
    from bot.answer.render import attribution, refusal_text

    if not answer.answered:
        return refusal_text(answer)
    blocks = []
    for item in answer.items:
        text = item.excerpt.text
        marked = ""
        cursor = 0
        for start, end in item.excerpt.highlights:
            marked += text[cursor:start] + "**" + text[start:end] + "**"
            cursor = end
        marked += text[cursor:]
        source = attribution(item).replace("\\", "")
        blocks.append(
            f"[{item.rank}] {item.meta.title}\n    {source} · {item.doc_id} "
            f"(score {item.score:.2f})\n    “{marked}”"
        )
    return "\n\n".join(blocks)


def cmd_chat(config: Config, args: argparse.Namespace) -> int:
    from bot.answer.render import answer_message, as_text

    answerer = Answerer(build_index(config))
    print("Ask a question about the documents (Ctrl-D or 'quit' to leave).")
    while True:
        try:
            question = input("you> ")
        except EOFError:
            print()
            return 0
        if question.strip().lower() in {"quit", "exit"}:
            return 0
        if not question.strip():
            continue
        answer = answerer.answer(question)
        print(as_text(answer_message(answer)))
        if answer.answered:
            buttons = ["Full passage", "👍", "👎"]
            if len(answer.items) > 1:
                buttons.insert(0, f"More results ({len(answer.items) - 1})")
            print("  " + "  ".join(f"[{b}]" for b in buttons))
        print()


def cmd_eval(config: Config, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.docs_eval import is_docs_question_file
    from bot.evaluation import EvalError, evaluate, format_report, load_eval_set

    if is_docs_question_file(Path(args.path)):
        return cmd_eval_docs(config, args)
    if args.corpus:
        raise UsageError("a corpus folder is only taken with a docs question file")
    try:
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
        print(f"  {document.doc_id}: {document.passage_count} passages")
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
    """What was not indexed, by kind: a count and a few examples, not thousands of lines."""
    by_kind: dict[str, list] = {}
    for item in skipped:
        by_kind.setdefault(item.kind, []).append(item)
    lines = [f"skipped:     {len(skipped)} file(s) or folder(s) not indexed as they are"]
    for kind, items in by_kind.items():
        lines.append(f"  {SKIP_HEADINGS.get(kind, kind)}: {len(items)}")
        lines += [f"    {item.path}: {item.reason}" for item in items[:examples]]
        if len(items) > examples:
            lines.append(f"    … and {len(items) - examples} more")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
