"""`newsrag`: a few lines per command over NewsIndex. Exit codes: 0 ok, 1 some input failed,
2 usage or a newsrag error (the message says what to do)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from . import __doc__ as package_doc
from .config import Settings
from .errors import RagError



def _settings(args: argparse.Namespace) -> Settings:
    allow = True if getattr(args, "allow_private", False) else None
    return Settings.from_env(home=args.home, llm=args.llm, fetch_allow_private=allow)


def _index(args: argparse.Namespace, create: bool = False):
    """The index the command works on; only ingest and serve create one where there is none."""
    from .index import NewsIndex

    return NewsIndex(args.index, _settings(args), create=create)


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"since": args.since, "until": args.until, "sources": args.source or (), "article_ids": args.article or ()}


def cmd_ingest(args: argparse.Namespace) -> int:
    report = _index(args, create=True).ingest(
        args.paths, progress=False if args.quiet else None, prune=args.prune,
        include=args.include or (), exclude=args.exclude or (),
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.summary())
    return 0 if report.ok else 1


def cmd_ask(args: argparse.Namespace) -> int:
    index = _index(args)
    live = not args.json and sys.stdout.isatty() and bool(index.settings.llm)
    answers = index.query(args.question, k=args.k, as_of=args.as_of, stream=True, **_filters(args))
    if live:  # show the generation as it comes; the verified text follows it
        for delta in answers:
            print(delta, end="", flush=True)
        print("\n\nVerified:")
    answer = answers.answer
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return 0
    from .render import plain, view

    print(plain(view(answer, as_of=args.as_of)))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import run

    return run(_index(args), sys.stdin, sys.stdout, k=args.k, since=args.since, until=args.until,
               sources=args.source or (), as_of=args.as_of)


def cmd_remove(args: argparse.Namespace) -> int:
    if not (args.id or args.url or args.source):
        print("error: say what to remove: --id, --url or --source (repeatable)", file=sys.stderr)
        return 2
    removed = _index(args).remove(ids=args.id or (), urls=args.url or (), sources=args.source or ())
    print(f"{len(removed)} article{'s' * (len(removed) != 1)} removed")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    hits = _index(args).search(args.question, k=args.k, **_filters(args))
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
    for i, h in enumerate([] if args.json else hits, 1):
        meta = ", ".join(p for p in (h.source, h.published or "undated") if p)
        print(f"{i}. {h.score:.4f} {h.title} — {meta}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    index = _index(args)
    stats = index.stats()
    answerer, status = index.check_llm()
    if args.json:
        print(json.dumps({**stats.to_dict(), "answerer": answerer, "answerer_status": status}, indent=2, ensure_ascii=False))
        return 0
    print(f"index:    {stats.path}")
    print(f"model:    {stats.model}")
    print(f"articles: {stats.articles}  chunks: {stats.chunks}")
    print(f"dates:    {stats.first_date or '-'} .. {stats.last_date or '-'}")
    print(f"updated:  {stats.last_ingested or '-'}")
    print("outlets:  " + (", ".join(f"{s} ({n})" for s, n in stats.sources.items()) or "-"))
    if stats.inferred:
        said = {"source": "outlets read off URLs", "published": "dates read off URLs or datelines"}
        print("inferred: " + ", ".join(f"{n} {said.get(k, k)}" for k, n in stats.inferred.items()))
    print(f"answerer: {answerer}: {status}")
    return 0


def cmd_quotes(args: argparse.Namespace) -> int:
    found = _index(args).quotes(args.speaker, args.about, k=args.k, since=args.since, until=args.until,
                                sources=args.source or ())
    if args.json:
        print(json.dumps([h.to_dict() for h in found], indent=2, ensure_ascii=False))
        return 0
    for h in found:
        meta = ", ".join(p for p in (h.source, h.published or "undated") if p)
        print(f"{h.speaker or '(speaker uncertain)'}: “{h.quote.text}”\n    {h.title} — {meta}"
              + (f"\n    {h.url}" if h.url else ""))
    if not found:
        print("No quotations found" + (f" from {args.speaker}" if args.speaker else "") + ".")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, feedback_questions, load_questions

    if args.feedback:  # the page's verdicts: RAG_HOME/feedback.jsonl unless a file is named
        from .feedback import FILE

        args.questions = args.questions or str(_settings(args).home / FILE)
    elif not args.questions:
        print("error: name a question file (QA.jsonl), or pass --feedback for the page's verdicts", file=sys.stderr)
        return 2
    (feedback_questions if args.feedback else load_questions)(args.questions)  # a bad file fails before the index opens
    report = evaluate(_index(args), args.questions, limit=args.limit, progress=not args.json and sys.stderr.isatty(),
                      feedback=args.feedback)
    print(json.dumps(report.to_dict(details=args.details), indent=2) if args.json else report.table())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    local_hosts = ("127.0.0.1", "localhost", "::1")  # listening only here needs no login
    settings = _settings(args)
    host = args.host or settings.host
    port = args.port or settings.port
    if not 1 <= port <= 65535:
        print(f"error: --port {port} is not a port: give a number from 1 to 65535.", file=sys.stderr)
        return 2
    auth = None
    if settings.ui_auth and not args.no_auth:
        user, sep, password = settings.ui_auth.partition(":")
        if not (sep and user.strip() and password):
            print("error: RAG_UI_AUTH must be user:password (a user name, a colon, then the password), "
                  "e.g. RAG_UI_AUTH='reader:long-secret'.", file=sys.stderr)
            return 2
        auth = (user.strip(), password)
    if host not in local_hosts and auth is None:
        if not args.no_auth:
            where = f"--host {host}" if args.host else f"RAG_HOST={host}"
            print(f"error: {where} lets other machines reach the page, so it needs a login: set "
                  "RAG_UI_AUTH=user:password (e.g. RAG_UI_AUTH='reader:long-secret' newsrag serve "
                  f"--host {host}), or pass --no-auth to serve it to anyone who can reach it.", file=sys.stderr)
            return 2
        logging.getLogger(__name__).warning(
            "serving on %s without a login (--no-auth): anyone who can reach it can ask and add articles", host)

    from ui.app import serve

    busy = _busy(host, port)
    if busy:
        print(f"error: cannot listen on {host}:{port} ({busy}). Stop whatever uses it, or pick another "
              "port with --port (or RAG_PORT).", file=sys.stderr)
        return 2
    index = _index(args, create=True)
    if args.ingest:
        report = index.ingest(args.ingest, progress=None)
        print(f"ingest: {report.summary()}", file=sys.stderr)
    serve(index, host=host, port=port, auth=auth)
    return 0


def _busy(host: str, port: int) -> str:
    """Why nothing can listen on host:port ('' when something can), checked before the slow start."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"{host} is not an address of this machine: {exc.strerror}"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return ""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsrag", description=(package_doc or "").strip().splitlines()[0])
    p.add_argument("--index", metavar="DIR", help="index directory (default: RAG_HOME/index)")
    p.add_argument("--home", metavar="DIR", help="data directory (default: RAG_HOME or the per-user data dir)")
    p.add_argument("--llm", metavar="SPEC", help="generate answers with an LLM: ollama:MODEL[@URL], "
                   "openai:MODEL[@URL], gguf:PATH, or extractive (default: RAG_LLM, else extractive)")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", help="add or update articles from files and directories")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--prune", action="store_true", help="remove articles that disappeared from these directories")
    s.add_argument("--include", action="append", metavar="GLOB", help="in directories, only files matching (repeatable)")
    s.add_argument("--exclude", action="append", metavar="GLOB", help="in directories, skip files matching (repeatable)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--allow-private", action="store_true",
                   help="fetch URLs on loopback/private/link-local addresses too (RAG_FETCH_ALLOW_PRIVATE=1)")
    s.set_defaults(func=cmd_ingest)

    for name, func, helptext in (
        ("ask", cmd_ask, "answer a question with cited sources"),
        ("search", cmd_search, "list the passages that best match a question"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("question")
        s.add_argument("-k", type=int, default=None if name == "ask" else 10, help="passages to retrieve")
        s.add_argument("--since", metavar="YYYY-MM-DD")
        s.add_argument("--until", metavar="YYYY-MM-DD")
        s.add_argument("--source", action="append", metavar="OUTLET", help="only this outlet (repeatable)")
        s.add_argument("--article", action="append", metavar="ID", help="only this article (repeatable)")
        if name == "ask":
            s.add_argument("--as-of", metavar="YYYY-MM-DD", help='the day "last week" counts back from (default today)')
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=func)

    s = sub.add_parser("chat", help="a conversation: follow-up questions, /commands for filters and sources")
    s.add_argument("-k", type=int, default=None, help="passages to retrieve")
    s.add_argument("--since", metavar="YYYY-MM-DD", help="start with this filter (/since changes it)")
    s.add_argument("--until", metavar="YYYY-MM-DD", help="start with this filter (/until changes it)")
    s.add_argument("--source", action="append", metavar="OUTLET", help="only this outlet (repeatable; /outlet changes it)")
    s.add_argument("--as-of", metavar="YYYY-MM-DD", help='the day "last week" counts back from (default today)')
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("quotes", help="who said what: direct quotations with speaker, outlet and date")
    s.add_argument("--speaker", metavar="NAME", help='only quotations of this person ("Putin" or "Vladimir Putin")')
    s.add_argument("--about", metavar="TOPIC", help="the most relevant to this first (else newest first)")
    s.add_argument("-k", type=int, default=20, help="how many (default 20)")
    s.add_argument("--since", metavar="YYYY-MM-DD")
    s.add_argument("--until", metavar="YYYY-MM-DD")
    s.add_argument("--source", action="append", metavar="OUTLET", help="only this outlet (repeatable)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_quotes)

    s = sub.add_parser("remove", help="delete articles by id, URL or outlet")
    s.add_argument("--id", action="append", metavar="ID")
    s.add_argument("--url", action="append", metavar="URL")
    s.add_argument("--source", action="append", metavar="OUTLET")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("info", help="what the index holds")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_info)

    s = sub.add_parser("eval", help="retrieval and answer metrics on a question set (JSONL)")
    s.add_argument("questions", metavar="QA.jsonl", nargs="?")
    s.add_argument("--feedback", action="store_true",
                   help="the questions are readers' verdicts from the page (default file: RAG_HOME/feedback.jsonl): "
                        "liked answers must still cite what they cited, disliked ones must change")
    s.add_argument("--limit", type=int)
    s.add_argument("--json", action="store_true")
    s.add_argument("--details", action="store_true", help="with --json: every question's result")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("serve", help="the chat page")
    s.add_argument("--host", default=None, help="interface to listen on (default 127.0.0.1, or RAG_HOST); "
                   "any other than 127.0.0.1/localhost/::1 needs RAG_UI_AUTH=user:password or --no-auth")
    s.add_argument("--no-auth", action="store_true",
                   help="serve without a login even on a public interface (ignores RAG_UI_AUTH)")
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--ingest", nargs="*", metavar="PATH", help="ingest these first (unchanged files are skipped)")
    s.add_argument("--allow-private", action="store_true",
                   help="let ingests (and the page's pasted URLs) fetch private addresses (RAG_FETCH_ALLOW_PRIVATE=1)")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return args.func(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
