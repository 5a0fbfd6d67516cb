"""A model that lives: fit once, assign new feedback to the known themes — measured on real data.

banking77 train (10,003 English customer-service queries, 77 intents), with feedmine's default pipeline
(e5 + character TF-IDF, UMAP + HDBSCAN, the matching rule of feedmine.themes.match), BERTopic 0.17 beside
it where it does the same job:

1. Assigning the fitted rows: the share that gets its fitted theme back (all at once, one row at a time,
   in shuffled halves), and BERTopic's ``transform`` against its own ``fit_transform`` on the same
   vectors (its users' #905 / #1582).
2. Fit on a sample, assign the rest: fit on 3,000 rows (three random draws) and assign the other 7,003,
   against fitting on all rows (NMI / ARI / themes over all 10,003); BERTopic the same way, on e5.
3. Nothing fits → unassigned: the share of held-out banking77 test queries the train model places,
   against app reviews (maalej) and Korean movie reviews (nsmc) it should not place.
4. Throughput: ``assign`` of the 10,003 train rows by a model fitted on banking77 test, the embedding
   computed inside (no cache), beside ``fit`` on the same rows (no cache); the saved model on disk.
5. Save → load → assign gives identical documents; the saved files are data only.

Run:  python benchmarks/assign.py          (about 20 minutes on 2 cores; e5 vectors cached in benchmarks/.cache)
Needs: pip install torch==2.13.0 && pip install -e ".[bench]"
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, SHARED, PeakMemory, load_dataset, load_maalej, write_results  # noqa: E402

import feedmine as fm  # noqa: E402
from feedmine.embed import E5Embedder, HybridEmbedder  # noqa: E402

SAMPLE = 3_000


def pipeline(seed: int, cache=CACHE) -> fm.Pipeline:
    embedder = HybridEmbedder(semantic=E5Embedder(cache_dir=cache, progress=False), progress=False)
    return fm.Pipeline(embedder=embedder, random_state=seed, progress=False)


def scores(y, labels) -> dict:
    labels = np.asarray(labels)
    return {"nmi": round(float(normalized_mutual_info_score(y, labels)), 4),
            "ari": round(float(adjusted_rand_score(y, labels)), 4),
            "n_themes": int(len(set(labels[labels >= 0]))), "unassigned_share": round(float((labels < 0).mean()), 4)}


def themes_of(result: fm.Result) -> np.ndarray:
    return result.documents["theme_id"].fillna(-1).astype(int).to_numpy()


def refit(table: pd.DataFrame, y, seed: int) -> tuple[fm.Pipeline, dict]:
    """1: the fitted rows, assigned again."""
    with PeakMemory() as mem:
        model = pipeline(seed).fit(table, text="text", id="id")
    fitted = themes_of(model.result_)
    again = themes_of(model.assign(table))
    had = fitted >= 0
    rng = np.random.RandomState(seed)
    singles = rng.choice(len(table), 300, replace=False)
    alone = np.array([themes_of(model.assign(table.iloc[[i]]))[0] for i in singles])
    order = rng.permutation(len(table))
    halves = [model.assign(table.iloc[order[:5000]]), model.assign(table.iloc[order[5000:]])]
    by_id = pd.concat([h.documents.set_index("id")["theme_id"] for h in halves]).reindex(model.result_.documents["id"])
    out = {"fit": dict(scores(y, fitted), seconds=round(mem.seconds, 1),
                       outlier_share_before_rule=round(model.result_.meta["outlier_share_before_reassignment"], 4),
                       rule_keeps_hdbscan_members=round(model.result_.meta["rule_agreement"], 4)),
           "same_theme_all_at_once": round(float((again[had] == fitted[had]).mean()), 4),
           "same_theme_one_row_at_a_time": round(float((alone == fitted[singles]).mean()), 4),
           "same_theme_in_shuffled_halves": round(float((by_id.fillna(-1).astype(int).to_numpy() == fitted).mean()), 4)}
    return model, out


def bertopic_refit(texts: list[str], X: np.ndarray, seed: int) -> dict:
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    model = BERTopic(umap_model=umap_model, calculate_probabilities=False)
    fitted, _ = model.fit_transform(texts, embeddings=X)
    fitted = np.asarray(fitted)
    again = np.asarray(model.transform(texts, embeddings=X)[0])
    had = fitted >= 0
    alone = np.array([model.transform([texts[i]], embeddings=X[i:i + 1])[0][0] for i in range(0, len(texts), 100)])
    return {"same_topic_all_at_once": round(float((again[had] == fitted[had]).mean()), 4),
            "same_topic_one_row_at_a_time": round(float((alone == fitted[::100]).mean()), 4),
            "outlier_share_fit": round(float((fitted < 0).mean()), 4)}


def sample_fits(table: pd.DataFrame, y, seed: int) -> list[dict]:
    """2: fit on 3,000 rows, assign the other 7,003."""
    rows = []
    for draw in range(3):
        rng = np.random.RandomState(draw)
        fit_rows = np.sort(rng.choice(len(table), SAMPLE, replace=False))
        rest = np.setdiff1d(np.arange(len(table)), fit_rows)
        with PeakMemory() as mem:
            model = pipeline(seed).fit(table.iloc[fit_rows], text="text", id="id")
            assigned = model.assign(table.iloc[rest])
        labels = np.empty(len(table), dtype=int)
        labels[fit_rows], labels[rest] = themes_of(model.result_), themes_of(assigned)
        rows.append(dict(scores(y, labels), draw=draw, seconds=round(mem.seconds, 1),
                         sample_only=scores(np.asarray(y)[fit_rows], labels[fit_rows])))
    return rows


def bertopic_samples(texts: list[str], X: np.ndarray, y, seed: int) -> dict:
    from bertopic import BERTopic
    from umap import UMAP

    def fit(idx):
        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
        model = BERTopic(umap_model=umap_model, calculate_probabilities=False)
        return model, np.asarray(model.fit_transform([texts[i] for i in idx], embeddings=X[idx])[0])

    _, everything = fit(np.arange(len(texts)))
    out = {"fit_all": scores(y, everything), "sample_then_transform": []}
    for draw in range(3):
        rng = np.random.RandomState(draw)
        fit_rows = np.sort(rng.choice(len(texts), SAMPLE, replace=False))
        rest = np.setdiff1d(np.arange(len(texts)), fit_rows)
        model, fitted = fit(fit_rows)
        labels = np.empty(len(texts), dtype=int)
        labels[fit_rows] = fitted
        labels[rest] = np.asarray(model.transform([texts[i] for i in rest], embeddings=X[rest])[0])
        out["sample_then_transform"].append(dict(scores(y, labels), draw=draw))
    return out


def elsewhere(model: fm.Pipeline) -> dict:
    """3: in-domain held-out queries vs feedback about something else."""
    test, _, _ = load_dataset("banking77")
    maalej = load_maalej()["text"].sample(1000, random_state=0).tolist()
    nsmc = pd.read_csv(SHARED / "nsmc" / "nsmc_sample.csv")["document"].dropna().sample(1000, random_state=0).tolist()
    out = {}
    for name, texts in (("banking77_test", test), ("maalej_app_reviews", maalej), ("nsmc_movie_reviews", nsmc)):
        labels = themes_of(model.assign(pd.DataFrame({"text": texts}), text="text"))
        out[name] = {"n": len(texts), "placed_share": round(float((labels >= 0).mean()), 4)}
    return out


def throughput(table: pd.DataFrame, seed: int) -> dict:
    """4: assign 10,003 rows with the embedding computed inside, beside fit on the same rows."""
    test, _, _ = load_dataset("banking77")
    model = pipeline(seed, cache=False).fit(pd.DataFrame({"text": test}), text="text")
    with PeakMemory() as assign_mem:
        model.assign(table)
    with PeakMemory() as fit_mem:
        pipeline(seed, cache=False).fit(table, text="text", id="id")
    return {"n_items": len(table),
            "assign": {"seconds": round(assign_mem.seconds, 1), "items_per_s": round(len(table) / assign_mem.seconds, 1),
                       "peak_added_mib": round(assign_mem.added, 1)},
            "fit": {"seconds": round(fit_mem.seconds, 1), "items_per_s": round(len(table) / fit_mem.seconds, 1),
                    "peak_added_mib": round(fit_mem.added, 1)}}


def round_trip(model: fm.Pipeline, table: pd.DataFrame) -> dict:
    """5: save → load → assign; the files and their sizes."""
    folder = Path(tempfile.mkdtemp()) / "model"
    t0 = time.perf_counter()
    model.save(folder)
    saved_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    loaded = fm.load_model(folder)
    loaded_s = time.perf_counter() - t0
    new = table.sample(2000, random_state=1)
    same = loaded.assign(new).documents.equals(model.assign(new).documents)
    files = {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}
    with np.load(folder / "arrays.npz", allow_pickle=False) as npz:  # would raise on a pickled array
        arrays = {k: [list(npz[k].shape), str(npz[k].dtype)] for k in npz.files}
    shutil.rmtree(folder.parent)
    return {"identical_documents_after_load": bool(same), "save_seconds": round(saved_s, 2),
            "load_seconds": round(loaded_s, 2), "bytes_total": sum(files.values()),
            "bytes_model_without_result": sum(v for k, v in files.items() if not k.startswith("result/")),
            "file_kinds": sorted({Path(k).suffix for k in files}), "files": files, "arrays": arrays}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-bertopic", action="store_true")
    parser.add_argument("--no-throughput", action="store_true", help="skip the uncached timing (about 6 minutes)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    texts, y, _ = load_dataset("banking77-train")
    table = pd.DataFrame({"id": [f"train-{i}" for i in range(len(texts))], "text": texts})
    out = {"data": "banking77 train, 10,003 queries, 77 intents", "seed": args.seed}
    model, out["refit"] = refit(table, y, args.seed)
    print("1. refit:", out["refit"], flush=True)
    if not args.no_bertopic:
        X = model.stages_["embedder"].transform(model.result_.documents["text_clean"].tolist())
        out["refit_bertopic_same_vectors"] = bertopic_refit(texts, X, args.seed)
        print("   BERTopic:", out["refit_bertopic_same_vectors"], flush=True)
    out["sample_then_assign"] = sample_fits(table, y, args.seed)
    nmi = [r["nmi"] for r in out["sample_then_assign"]]
    out["sample_then_assign_nmi_loss"] = round(out["refit"]["fit"]["nmi"] - float(np.mean(nmi)), 4)
    print("2. sample:", out["sample_then_assign"], "NMI loss", out["sample_then_assign_nmi_loss"], flush=True)
    if not args.no_bertopic:
        X_e5 = E5Embedder(cache_dir=CACHE, progress=False).transform(model.result_.documents["text_clean"].tolist())
        out["sample_then_transform_bertopic_e5"] = bertopic_samples(texts, X_e5, y, args.seed)
        print("   BERTopic:", out["sample_then_transform_bertopic_e5"], flush=True)
    out["elsewhere"] = elsewhere(model)
    print("3. elsewhere:", out["elsewhere"], flush=True)
    if not args.no_throughput:
        out["throughput"] = throughput(table, args.seed)
        print("4. throughput:", out["throughput"], flush=True)
    out["round_trip"] = round_trip(model, table)
    print("5. round trip:", {k: v for k, v in out["round_trip"].items() if k not in ("files", "arrays")}, flush=True)
    print(f"wrote {write_results('assign', out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
