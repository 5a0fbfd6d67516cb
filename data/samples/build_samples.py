"""Build the bundled sample CSVs from the licensed source data (deterministic).

Reads ``maalej_app_reviews``, ``steam_ko`` and ``nsmc`` from the shared data folder and writes, next
to this script: ``reviews_en.csv`` (English app reviews), ``reviews_ko.csv`` (Korean Steam game
reviews), ``reviews_mixed.csv`` (both: the quickstart's product feedback) and
``movie_reviews_ko.csv`` (Korean movie reviews with the reviewer's 1–10 rating and date, for tests
that need a real rating). Only real rows are used; see README.md in this folder for sources, licenses
and the selection rules.

Usage::

    python data/samples/build_samples.py [--shared PATH] [--out PATH]

Standard library + pandas only. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"

N_EN = 1200
N_STEAM = 1200
N_KO_NEG = 500
N_KO_POS = 500
N_KO_NEU = 200

EN_COLUMNS = [
    "review_id", "text", "stars", "channel", "channel_inferred", "app",
    "label_bug", "label_feature", "label_ux", "label_rating",
]
MOVIE_COLUMNS = ["review_id", "text", "rating_10", "stars", "date", "channel", "label_sentiment"]
KO_COLUMNS = ["review_id", "text", "recommended", "channel"]
# neither product source has a date; English rows have stars, Korean rows the reviewer's thumbs
MIXED_COLUMNS = ["review_id", "text", "stars", "recommended", "channel"]

# data_source values in maalej_app_reviews.csv (parts may be "|"-joined when a review was merged
# from two subsets). RE2014_app_and_play_store_apps mixes both stores, so it decides nothing alone.
_SOURCE_CHANNEL = {
    "AppStore_Random": "app_store",
    "PlayStore_Random": "google_play",
    "playStore_random": "google_play",
    "RE2014_app_and_play_store_apps": None,
}
_SENTENCE_END = (".", "!", "?", "\u2026")


def sha1_hex(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def read_csv_str(path: Path) -> pd.DataFrame:
    """Read every column as the exact string in the file (no NaN, no type guessing)."""
    if not path.is_file():
        sys.exit(f"build_samples: missing source file {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def require_columns(df: pd.DataFrame, cols: list[str], name: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        sys.exit(f"build_samples: {name} lacks columns {missing}; has {list(df.columns)}")


# --------------------------------------------------------------------------- English (maalej)

def join_title_comment(title: str, comment: str) -> str:
    """"title. comment" when there is a title; the comment alone otherwise.

    Outer whitespace is stripped; inner text is kept as in the source. No extra "." after a title
    that already ends a sentence, and a title identical to its comment is not repeated.
    """
    t, c = title.strip(), comment.strip()
    if not t or t == c:
        return c or t
    if not c:
        return t
    sep = " " if t.endswith(_SENTENCE_END) else ". "
    return t + sep + c


def channel_for(data_source: str, title: str) -> tuple[str, bool]:
    """(channel, inferred). From data_source where it names one store; for the mixed RE2014
    subset, from the record format: App Store records have a separate title field, Google Play
    records in this release do not (their title, if any, is TAB-joined into the comment)."""
    stores = {_SOURCE_CHANNEL[p] for p in data_source.split("|")} - {None}
    if len(stores) == 1:
        return stores.pop(), False
    if len(stores) > 1:
        sys.exit(f"build_samples: data_source {data_source!r} names both stores")
    return ("app_store" if title.strip() else "google_play"), True


def build_en(shared: Path) -> pd.DataFrame:
    src = read_csv_str(shared / "maalej_app_reviews" / "maalej_app_reviews.csv")
    require_columns(src, ["id", "title", "comment", "rating", "is_bug", "is_feature",
                          "is_user_experience", "is_rating", "data_source", "app_id"],
                    "maalej_app_reviews.csv")
    unknown = {p for v in src["data_source"] for p in v.split("|")} - set(_SOURCE_CHANNEL)
    if unknown:
        sys.exit(f"build_samples: unknown data_source values {sorted(unknown)}")

    df = pd.DataFrame({"review_id": "maalej-" + src["id"]})
    df["text"] = [join_title_comment(t, c) for t, c in zip(src["title"], src["comment"])]
    df["stars"] = src["rating"].astype(int)
    ch = [channel_for(d, t) for d, t in zip(src["data_source"], src["title"])]
    df["channel"] = [c for c, _ in ch]
    df["channel_inferred"] = [i for _, i in ch]
    df["app"] = src["app_id"]
    for out, col in [("label_bug", "is_bug"), ("label_feature", "is_feature"),
                     ("label_ux", "is_user_experience"), ("label_rating", "is_rating")]:
        df[out] = src[col].astype(int)

    n_empty = int((df["text"] == "").sum())
    df = df[df["text"] != ""]
    df = df.assign(_h=df["review_id"].map(sha1_hex)).sort_values("_h", kind="stable")
    out = df.head(N_EN).drop(columns="_h").reset_index(drop=True)

    print(f"reviews_en: {len(src)} source rows, {n_empty} with empty text dropped, "
          f"first {len(out)} by SHA-1(review_id) kept")
    for col in ["label_bug", "label_feature", "label_ux", "label_rating"]:
        print(f"  {col}: sample {out[col].mean():.1%}  source {df[col].mean():.1%}")
    return out[EN_COLUMNS]


# --------------------------------------------------------------------------- Korean (nsmc)

def iso_date(yy_mm_dd: str) -> str:
    """NSMC dates are YY.MM.DD (2003-2015) -> YYYY-MM-DD."""
    yy, mm, dd = yy_mm_dd.split(".")
    return f"20{yy}-{mm}-{dd}"


def build_movies(shared: Path) -> pd.DataFrame:
    cols = ["review_id", "date", "rating", "document"]
    lab = read_csv_str(shared / "nsmc" / "nsmc_sample.csv")
    neu = read_csv_str(shared / "nsmc" / "nsmc_neutral_sample.csv")
    require_columns(lab, cols + ["label"], "nsmc_sample.csv")
    require_columns(neu, cols, "nsmc_neutral_sample.csv")

    lab = lab[lab["document"].str.strip() != ""]
    neu = neu[neu["document"].str.strip() != ""]
    # First N of each class in file order (the files are already ordered by SHA-1 of review_id);
    # the labelled rows keep their interleaved file order, the neutral rows follow.
    keep = (lab["label"] == "0") & (lab["label"].eq("0").cumsum() <= N_KO_NEG)
    keep |= (lab["label"] == "1") & (lab["label"].eq("1").cumsum() <= N_KO_POS)
    lab = lab[keep].assign(label_sentiment=lambda d: d["label"].map({"0": "neg", "1": "pos"}))
    neu = neu.head(N_KO_NEU).assign(label_sentiment="neu")
    pick = pd.concat([lab, neu])

    rating = pick["rating"].astype(int)
    out = pd.DataFrame({
        "review_id": "nsmc-" + pick["review_id"],
        "text": pick["document"],
        "rating_10": rating,
        "stars": rating.map(lambda r: math.ceil(r / 2)),
        "date": pick["date"].map(iso_date),
        "channel": "naver_movies",
        "label_sentiment": pick["label_sentiment"],
    }).reset_index(drop=True)
    if out["review_id"].duplicated().any():
        sys.exit("build_samples: duplicate nsmc review ids")
    print(f"movie_reviews_ko: {len(out)} rows "
          f"({out['label_sentiment'].value_counts().sort_index().to_dict()})")
    return out[MOVIE_COLUMNS]


# --------------------------------------------------------------------------- Korean (steam_ko)

def build_ko(shared: Path) -> pd.DataFrame:
    src = read_csv_str(shared / "steam_ko" / "steam_reviews.csv")
    require_columns(src, ["review_id", "label", "document"], "steam_reviews.csv")
    src = src[src["document"].str.strip() != ""]
    df = pd.DataFrame({
        "review_id": "steam-" + src["review_id"],
        "text": src["document"],
        # Steam's "recommended" thumbs, given by the reviewer (label 1 / 0 of the corpus)
        "recommended": src["label"].astype(int),
        "channel": "steam",
    })
    df = df.assign(_h=df["review_id"].map(sha1_hex)).sort_values("_h", kind="stable")
    out = df.head(N_STEAM).drop(columns="_h").reset_index(drop=True)
    print(f"reviews_ko: {len(src)} source rows, first {len(out)} by SHA-1(review_id) kept, "
          f"recommended {out['recommended'].mean():.1%} (source {src['label'].astype(int).mean():.1%})")
    return out[KO_COLUMNS]


# --------------------------------------------------------------------------- mixed + write

def build_mixed(en: pd.DataFrame, ko: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([en.assign(recommended=""), ko.assign(stars="")], ignore_index=True)[MIXED_COLUMNS]
    both = both.assign(_h=both["review_id"].map(sha1_hex)).sort_values("_h", kind="stable")
    out = both.drop(columns="_h").reset_index(drop=True)
    print(f"reviews_mixed: {len(out)} rows")
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    if df["review_id"].duplicated().any():
        sys.exit(f"build_samples: duplicate review_id in {path.name}")
    if (df["text"].str.strip() == "").any():
        sys.exit(f"build_samples: empty text in {path.name}")
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"  wrote {path} ({len(df)} rows, sha256 {digest[:16]})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help=f"shared data folder (default: {DEFAULT_SHARED})")
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    args = ap.parse_args(argv)

    en = build_en(args.shared)
    ko = build_ko(args.shared)
    movies = build_movies(args.shared)
    mixed = build_mixed(en, ko)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(en, args.out / "reviews_en.csv")
    write_csv(ko, args.out / "reviews_ko.csv")
    write_csv(mixed, args.out / "reviews_mixed.csv")
    write_csv(movies, args.out / "movie_reviews_ko.csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
