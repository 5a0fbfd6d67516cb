"""Command line: ``feedmine analyze``, ``feedmine fit`` and ``feedmine assign``.

``analyze FILE --text COL --out DIR`` fits and analyses in one go; ``fit FILE --text COL --model DIR``
fits a model and saves it (with the fitted table's result beside it); ``assign FILE --model DIR --out
DIR`` puts new feedback into the saved model's themes (``--update`` also grows candidate themes from
what no theme fits, and saves the grown model). Each writes themes.csv, documents.csv, report.html and
the loadable Parquet files, prints the top pain points and lists every file it wrote. On bad input it
exits with status 2 and a one-line reason.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from .errors import FeedmineError

ROLES = ("id", "date", "rating", "channel", "segment", "customer", "value", "thread", "parent")


def _columns(parser: argparse.ArgumentParser, text_help: str) -> None:
    parser.add_argument("source", help="CSV, TSV, JSONL, Parquet or Excel file")
    parser.add_argument("--text", help=text_help)
    for role in ROLES:
        parser.add_argument(f"--{role}", help=f"column holding the {role}")
    parser.add_argument("--encoding", help="the file's text encoding (default: UTF-8, else CP949 as Excel saves Korean)")
    parser.add_argument("--by", help="column whose values (product, app, market) are analysed apart: themes and "
                                     "priorities within each group")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--top", type=int, default=15, help="pain points to print")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="worker processes that place the rows of a long table (-1: one per CPU)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    parser.add_argument("--excel", action="store_true",
                        help="also write feedmine.xlsx (pain points, problem statements, themes, documents; "
                             "needs feedmine[excel])")
    parser.add_argument("--json", action="store_true", help="also write result.json (exact text, one document)")
    parser.add_argument("--plain-report", action="store_true",
                        help="write report.html without scripts or charts (default: interactive when plotly is installed)")


def _fitting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--embedder", default="hybrid",
                        help="hybrid (default: e5 + character TF-IDF), fast (static e5 tokens, for large inputs), e5, use, "
                             "tfidf or st:<model name or path>")
    parser.add_argument("--min-cluster-size", default="auto", help="smallest theme size, or auto")
    parser.add_argument("--unit", choices=["document", "sentence"], default="document",
                        help="theme whole items (default) or their sentences (one item, several problems)")
    stage = parser.add_mutually_exclusive_group()
    stage.add_argument("--journey", action="store_true",
                       help="map items to the generic customer-journey stages (weak; see --journey-examples)")
    stage.add_argument("--journey-examples", metavar="FILE",
                       help="table of your own labelled examples (columns text, stage) to map journey stages by")
    parser.add_argument("--group-themes", choices=["shared", "separate"], default="shared",
                        help="with --by: one set of themes shared by all groups, each group scored on its own "
                             "rows (default), or themes found in each group apart")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--fit-sample", default="50000",
                        help="fit the themes on a random sample of this many rows of a longer table, then place "
                             "every row (default 50000; 'all' fits every row)")
    parser.add_argument("--no-mask-pii", action="store_true",
                        help="keep e-mails, phone/card/account/resident numbers, URLs and IPs unmasked")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="feedmine", description="Ranked, explained pain points from feedback.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("analyze", help="analyse a feedback file (fit and report in one go)")
    _columns(run, "column with the feedback text (guessed when omitted)")
    run.add_argument("--out", default="feedmine-run", help="output folder (default: feedmine-run)")
    _fitting(run)
    _common(run)
    fit = sub.add_parser("fit", help="fit a model on a feedback file and save it")
    _columns(fit, "column with the feedback text (guessed when omitted)")
    fit.add_argument("--model", required=True, help="folder to save the fitted model in")
    fit.add_argument("--out", help="also write the fitted table's result and report here")
    _fitting(fit)
    _common(fit)
    assign = sub.add_parser("assign", help="put new feedback into a saved model's themes")
    _columns(assign, "column with the feedback text (default: the one the model was fitted with)")
    assign.add_argument("--model", required=True, help="folder of a model saved by 'feedmine fit'")
    assign.add_argument("--out", default="feedmine-assigned", help="output folder (default: feedmine-assigned)")
    assign.add_argument("--update", action="store_true",
                        help="also cluster what fits no theme into candidate themes and save the grown model")
    _common(assign)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.command not in ("analyze", "fit", "assign"):
        _parser().print_help()
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        result, written = _run(args)
    except (FeedmineError, ValueError, OSError) as exc:
        print(f"feedmine: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("feedmine: interrupted", file=sys.stderr)
        return 130
    if result is not None:
        print(result.summary(top=args.top))
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _check_targets(args: argparse.Namespace) -> None:
    """Refuse a folder argument feedmine may not write (a file, or a folder of someone else's files)
    before the analysis runs, not after it."""
    from .io.store import check_folder_target

    for flag in ("out", "model"):
        target = getattr(args, flag, None)
        if not target or (flag == "model" and args.command == "assign"):
            continue  # assign reads --model (and --update saves it back: a feedmine folder already)
        try:
            check_folder_target(target)
        except FeedmineError as exc:
            raise FeedmineError(f"--{flag}: {exc}") from None
    if not Path(args.source).exists():
        raise FeedmineError(f"input file {args.source!r} does not exist.")


def _run(args: argparse.Namespace) -> tuple[Any, list[Path]]:
    _check_targets(args)
    columns = {role: getattr(args, role) for role in ("text", *ROLES, "encoding", "by")}
    if args.command == "assign":
        from .pipeline import load_model

        model = load_model(args.model)
        model.set_params(progress=not args.no_progress, n_jobs=args.n_jobs)
        given = {k: v for k, v in columns.items() if v is not None}
        result = model.update(args.source, **given) if args.update else model.assign(args.source, **given)
        written = _write(result, args.out, args)
        if args.update:
            written.append(model.save(args.model))
        return result, written
    from .api import build_pipeline

    pipeline = build_pipeline(embedder=args.embedder, min_cluster_size=_size(args.min_cluster_size),
                              mask_pii=not args.no_mask_pii, unit=args.unit,
                              journey=args.journey_examples or args.journey or None,
                              fit_sample=None if args.fit_sample == "all" else int(args.fit_sample),
                              n_jobs=args.n_jobs, group_themes=args.group_themes, random_state=args.random_state,
                              progress=not args.no_progress)
    pipeline.fit(args.source, **columns)
    written = []
    if args.command == "fit":
        written.append(pipeline.save(args.model))
    if args.command == "analyze" or args.out:
        written += _write(pipeline.result_, args.out, args)
    return pipeline.result_, written


def _size(value: str) -> Any:
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise FeedmineError(f"--min-cluster-size must be a whole number or auto, got {value!r}.") from None


def _write(result: Any, out: str, args: argparse.Namespace) -> list[Path]:
    folder = result.save(out)
    result.to_html(Path(folder) / "report.html", interactive=False if args.plain_report else None)
    if args.excel:
        result.to_excel(Path(folder) / "feedmine.xlsx")
    if args.json:
        result.to_json(Path(folder) / "result.json")
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.name != "manifest.json")
