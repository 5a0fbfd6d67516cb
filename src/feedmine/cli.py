"""Command line: ``feedmine analyze FILE --text COL --out DIR``.

Writes themes.csv, documents.csv, report.html (and the loadable Parquet files) into ``--out`` and
prints the top pain points. On bad input it exits with status 2 and a one-line reason.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import FeedmineError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedmine", description="Ranked, explained pain points from feedback.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("analyze", help="analyse a feedback file")
    run.add_argument("source", help="CSV, TSV, JSONL, Parquet or Excel file")
    run.add_argument("--text", help="column with the feedback text (guessed when omitted)")
    for role in ("id", "date", "rating", "channel", "segment", "customer", "value", "thread", "parent"):
        run.add_argument(f"--{role}", help=f"column holding the {role}")
    run.add_argument("--encoding", help="the file's text encoding (default: UTF-8, else CP949 as Excel saves Korean)")
    run.add_argument("--out", default="feedmine-run", help="output folder (default: feedmine-run)")
    run.add_argument("--embedder", default="hybrid",
                     help="hybrid (default: e5 + character TF-IDF), e5, use, tfidf or st:<model name or path>")
    run.add_argument("--min-cluster-size", default="auto", help="smallest theme size, or auto")
    run.add_argument("--unit", choices=["document", "sentence"], default="document",
                     help="theme whole items (default) or their sentences (one item, several problems)")
    stage = run.add_mutually_exclusive_group()
    stage.add_argument("--journey", action="store_true",
                       help="map items to the generic customer-journey stages (weak; see --journey-examples)")
    stage.add_argument("--journey-examples", metavar="FILE",
                       help="table of your own labelled examples (columns text, stage) to map journey stages by")
    run.add_argument("--random-state", type=int, default=0)
    run.add_argument("--no-mask-pii", action="store_true",
                     help="keep e-mails, phone/card/account/resident numbers, URLs and IPs unmasked")
    run.add_argument("--top", type=int, default=15, help="pain points to print")
    run.add_argument("--no-progress", action="store_true", help="hide progress bars")
    run.add_argument("-v", "--verbose", action="store_true", help="log each step")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.command != "analyze":
        _parser().print_help()
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        from .api import analyze

        mcs = args.min_cluster_size if args.min_cluster_size == "auto" else int(args.min_cluster_size)
        result = analyze(args.source, text=args.text, id=args.id, date=args.date, rating=args.rating,
                         channel=args.channel, segment=args.segment, customer=args.customer,
                         value=args.value, thread=args.thread, parent=args.parent, encoding=args.encoding,
                         embedder=args.embedder, min_cluster_size=mcs, mask_pii=not args.no_mask_pii, unit=args.unit,
                         journey=args.journey_examples or args.journey or None, random_state=args.random_state,
                         progress=not args.no_progress)
        out = result.save(args.out)
        result.to_html(Path(out) / "report.html")
    except (FeedmineError, ValueError) as exc:
        print(f"feedmine: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("feedmine: interrupted", file=sys.stderr)
        return 130
    print(result.summary(top=args.top))
    print(f"\nwrote {out / 'themes.csv'}, {out / 'documents.csv'}, {out / 'report.html'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
