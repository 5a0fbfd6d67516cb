"""Tests for ThemeClusterer on hand-made embeddings (no text model involved)."""
import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from feedmine.themes.cluster import MIN_ITEMS_TO_CLUSTER, ThemeClusterer, auto_min_cluster_size, auto_min_samples
from feedmine.errors import FeedmineError


def blobs(k=5, n=30, d=10, spread=0.05, seed=0):
    """k tight, normalised blobs around the first k axes of R^d; returns (X, true labels)."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, spread, (n, d)) for c in np.eye(d)[:k]])
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.repeat(np.arange(k), n)


def far_outliers(d=10, k=5):
    """Unit vectors on axes no blob uses: cosine 0 (plus noise) to every theme."""
    return np.eye(d)[k + 1:]


def assert_pure(labels, truth):
    """Every true blob maps to exactly one theme and every theme to exactly one blob (unassigned items,
    at most 5%, left out: the least typical members may fall below the acceptance threshold)."""
    assert (np.asarray(labels) < 0).mean() <= 0.05
    pairs = {(int(t), int(l)) for t, l in zip(truth, labels) if l >= 0}
    assert len({t for t, _ in pairs}) == len(pairs) == len({l for _, l in pairs})


# ----- finding themes ---------------------------------------------------------------------------

def test_separated_blobs_give_pure_themes():
    X, truth = blobs()
    tc = ThemeClusterer(reducer=None, random_state=0).fit(X)
    assert tc.n_themes_ == 5
    # the least typical members may fall below the acceptance threshold, as any new item would
    assert (tc.labels_ >= 0).mean() >= 0.95
    assigned = tc.labels_ >= 0
    assert_pure(tc.labels_[assigned], truth[assigned])
    assert tc.labels_.shape == (150,) and tc.confidence_.shape == (150,)
    assert ((tc.confidence_ >= 0) & (tc.confidence_ <= 1)).all()
    # the theme size is read off the data: 30 items per blob → a third of it
    assert tc.size_method_ == "knn_scale" and 25 <= tc.estimated_theme_size_ <= 30
    assert tc.min_cluster_size_ == round(tc.estimated_theme_size_ / 3)
    assert tc.min_samples_ == auto_min_samples(tc.min_cluster_size_)
    assert set(tc.tightness_) == set(tc.theme_ids_.tolist())
    assert all(t > 0.9 for t in tc.tightness_.values())  # tight blobs: members near their centroid


def test_pca_reducer_keeps_themes():
    X, truth = blobs()
    tc = ThemeClusterer(reducer="pca", n_components=5, random_state=0).fit(X)
    assert tc.embedding_.shape == (150, 5)
    assert tc.n_themes_ == 5
    assert_pure(tc.labels_, truth)


def test_three_equal_blobs_are_three_themes():
    # each blob holds 33% > max_theme_share, but has no inner structure: it must stay whole
    X, truth = blobs(k=3, n=40, d=8)
    tc = ThemeClusterer(reducer=None, random_state=0).fit(X)
    assert tc.n_themes_ == 3
    assert tc.unassigned_share_ < 0.05


def test_a_giant_theme_with_sub_themes_is_split():
    # two "languages": two far-apart groups, each made of 4 tight sub-themes
    rng = np.random.default_rng(1)
    centers = np.vstack([np.r_[np.eye(4)[i] * 0.1, 5.0, 0.0] for i in range(4)] +
                        [np.r_[np.eye(4)[i] * 0.1, 0.0, 5.0] for i in range(4)])
    X = np.vstack([rng.normal(c, 0.02, (25, 6)) for c in centers])
    truth = np.repeat(np.arange(8), 25)
    split = ThemeClusterer(reducer=None, min_cluster_size=8, random_state=0).fit(X)
    whole = ThemeClusterer(reducer=None, min_cluster_size=8, max_theme_share=None, random_state=0).fit(X)
    assert whole.n_themes_ == 2  # plain HDBSCAN stops at the two "languages"
    assert split.n_themes_ == 8
    # Gaussian sub-blobs have a long tail of atypical points; Tukey's fence leaves some of them out
    assert split.unassigned_share_ < 0.15
    from sklearn.metrics import adjusted_rand_score
    placed = split.labels_ >= 0
    assert adjusted_rand_score(truth[placed], split.labels_[placed]) > 0.95


def test_three_equal_blobs_without_share_cap():
    X, truth = blobs(k=3, n=40, d=8)
    tc = ThemeClusterer(reducer=None, max_theme_share=None, random_state=0).fit(X)
    assert tc.n_themes_ == 3
    assert_pure(tc.labels_, truth)


# ----- outliers ---------------------------------------------------------------------------------

def outlier_data():
    X, truth = blobs()
    return np.vstack([X, far_outliers()]), np.r_[truth, [-1] * len(far_outliers())]


def test_far_outliers_stay_unassigned_with_auto():
    X, truth = outlier_data()
    tc = ThemeClusterer(reducer=None, reassign="auto", random_state=0).fit(X)
    out = truth == -1
    assert (tc.raw_labels_[out] == -1).all()
    assert (tc.labels_[out] == -1).all()
    assert not tc.reassigned_[out].any()
    assert (tc.confidence_[out] == 0).all()
    assert tc.unassigned_share_ >= out.mean()
    assert tc.outlier_share_ >= out.mean()


def test_all_moves_every_outlier_and_flags_only_those():
    X, truth = outlier_data()
    tc = ThemeClusterer(reducer=None, reassign="all", random_state=0).fit(X)
    raw_noise = tc.raw_labels_ < 0
    assert raw_noise[truth == -1].all()
    assert (tc.labels_ >= 0).all()
    np.testing.assert_array_equal(tc.reassigned_, raw_noise)
    np.testing.assert_array_equal(tc.labels_[~raw_noise], tc.raw_labels_[~raw_noise])  # tight blobs: kept
    assert tc.unassigned_share_ == 0
    assert ((tc.confidence_ >= 0) & (tc.confidence_ <= 1)).all()


def test_none_is_a_clear_error_that_points_to_the_raw_labels():
    X, _ = outlier_data()
    with pytest.raises(FeedmineError, match="raw_labels_"):
        ThemeClusterer(reducer=None, reassign="none").fit(X)


def test_fitted_items_are_placed_by_the_rule_that_places_new_ones():
    X, truth = blobs()
    X = np.vstack([X, far_outliers()])
    tc = ThemeClusterer(reducer=None, random_state=0).fit(X)
    # by construction: predicting the fitted vectors, all at once or one at a time, gives their themes
    np.testing.assert_array_equal(tc.predict(X), tc.labels_)
    np.testing.assert_array_equal([tc.predict(x[None])[0] for x in X], tc.labels_)
    assert (tc.labels_[-len(far_outliers()):] == -1).all()  # nothing near: unassigned
    noise = tc.raw_labels_ < 0
    np.testing.assert_array_equal(tc.reassigned_, noise & (tc.labels_ >= 0))
    assert 0.9 <= tc.rule_agreement_ <= 1.0


# ----- small inputs, determinism, swapping parts -------------------------------------------------

@pytest.mark.parametrize("n", [1, 5, MIN_ITEMS_TO_CLUSTER - 1])
def test_few_items_form_one_theme(n):
    X, _ = blobs(k=3, n=4)
    tc = ThemeClusterer(random_state=0).fit(X[:n])
    assert tc.n_themes_ == 1
    assert (tc.labels_ == 0).all() and len(tc.labels_) == n
    assert not tc.reassigned_.any()


def test_same_random_state_same_labels_with_umap():
    X, truth = blobs()
    a = ThemeClusterer(reducer="umap", random_state=7).fit(X)
    b = ThemeClusterer(reducer="umap", random_state=7).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_allclose(a.embedding_, b.embedding_)
    assert a.embedding_.shape == (150, 5)
    assert a.n_themes_ == 5
    assert_pure(a.labels_[a.labels_ >= 0], truth[a.labels_ >= 0])


def test_custom_clusterer_object_is_used_seeded_and_not_mutated():
    X, truth = blobs()
    km = KMeans(n_clusters=5, n_init=3)
    tc = ThemeClusterer(reducer=None, clusterer=km, random_state=3).fit(X)
    assert tc.n_themes_ == 5
    assert_pure(tc.labels_, truth)
    # separated blobs: every neighbour of a placed item votes for its theme
    assert (tc.confidence_[tc.labels_ >= 0] == 1).all() and (tc.confidence_[tc.labels_ < 0] == 0).all()
    assert km.random_state is None and not hasattr(km, "labels_")  # the user's object is cloned


def test_custom_clusterer_with_k_other_than_truth():
    X, _ = blobs()
    tc = ThemeClusterer(reducer=None, clusterer=KMeans(n_clusters=3, n_init=3), random_state=0).fit(X)
    assert tc.n_themes_ == 3


def test_custom_reducer_object_is_used():
    X, truth = blobs()
    tc = ThemeClusterer(reducer=PCA(n_components=3), random_state=0).fit(X)
    assert tc.embedding_.shape == (150, 3)
    assert tc.n_themes_ == 5
    assert_pure(tc.labels_, truth)


def test_kmeans_string_needs_n_clusters():
    X, _ = blobs()
    with pytest.raises(FeedmineError, match="n_clusters"):
        ThemeClusterer(reducer=None, clusterer="kmeans").fit(X)
    tc = ThemeClusterer(reducer=None, clusterer="kmeans", n_clusters=5, random_state=0).fit(X)
    assert tc.n_themes_ == 5


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_embeddings_rejected(bad):
    X, _ = blobs()
    X = X.copy()
    X[3, 2] = bad
    with pytest.raises(FeedmineError, match="NaN or infinite"):
        ThemeClusterer(reducer=None).fit(X)


def test_bad_arguments_rejected():
    X, _ = blobs()
    with pytest.raises(FeedmineError, match="2-D"):
        ThemeClusterer().fit(X[0])
    with pytest.raises(FeedmineError, match="reassign"):
        ThemeClusterer(reassign="some").fit(X)
    with pytest.raises(FeedmineError, match="reducer"):
        ThemeClusterer(reducer="tsne").fit(X)
    with pytest.raises(FeedmineError, match="clusterer"):
        ThemeClusterer(reducer=None, clusterer="dbscan").fit(X)


def test_predict_new_points():
    X, truth = blobs()
    tc = ThemeClusterer(reducer=None, random_state=0).fit(X)
    new, new_truth = blobs(seed=1)  # fresh samples of the same blobs
    pred = tc.predict(new)
    theme_of_blob = {t: int(np.bincount(tc.labels_[(truth == t) & (tc.labels_ >= 0)]).argmax()) for t in range(5)}
    # new points as typical as the members are accepted: nearly all of them
    assert (pred >= 0).mean() > 0.9
    expected = np.array([theme_of_blob[t] for t in new_truth])
    np.testing.assert_array_equal(pred[pred >= 0], expected[pred >= 0])
    assert (tc.predict(far_outliers()) == -1).all()
    assert tc.fit_predict(X).tolist() == tc.labels_.tolist()


def test_predict_before_fit():
    with pytest.raises(FeedmineError, match="not fitted"):
        ThemeClusterer().predict(np.ones((2, 3)))


def test_predict_with_reassign_all_never_returns_minus_one():
    X, _ = blobs()
    tc = ThemeClusterer(reducer=None, reassign="all", random_state=0).fit(X)
    assert (tc.predict(far_outliers()) >= 0).all()


# ----- automatic sizes ----------------------------------------------------------------------------

def test_auto_min_cluster_size_grows_with_n_and_never_below_5():
    ns = [0, 1, 2, 10, 100, 500, 1_000, 3_000, 10_000, 100_000, 1_000_000]
    sizes = [auto_min_cluster_size(n) for n in ns]
    assert all(isinstance(s, int) and s >= 5 for s in sizes)
    assert sizes == sorted(sizes)                      # never shrinks as data grows
    assert auto_min_cluster_size(100) == 5             # small data: the floor
    assert auto_min_cluster_size(1_000_000) > auto_min_cluster_size(1_000)  # but it does grow
    # and slowly: a theme of 1% of a 10,000-item corpus is still allowed
    assert auto_min_cluster_size(10_000) <= 100


def test_auto_min_samples_below_cluster_size():
    for mcs in [5, 9, 17, 53]:
        assert 2 <= auto_min_samples(mcs) < mcs


def test_explicit_sizes_are_used():
    X, _ = blobs()
    tc = ThemeClusterer(reducer=None, min_cluster_size=12, min_samples=3, random_state=0).fit(X)
    assert (tc.min_cluster_size_, tc.min_samples_) == (12, 3)


# ----- robustness: what tiny data gives must not hang on the last bits of a float -------------------
def test_small_themes_survive_float_noise_and_other_seeds():
    """Three tight groups of 16 in 48 items (a third each) stay three themes whatever the seed and with
    noise at the scale other CPUs or the 4-bit model's rounding add (1e-4 … 1e-3): the giant-theme
    split only cuts themes that are also many times the smallest theme size."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 64))
    X = np.vstack([c + 0.35 * rng.normal(size=(16, 64)) for c in centres])
    truth = np.repeat(np.arange(3), 16)
    from sklearn.metrics import adjusted_rand_score
    for seed in range(4):
        for noise in (0.0, 1e-4, 1e-3):
            Xp = X + noise * np.random.default_rng(seed).normal(size=X.shape)
            tc = ThemeClusterer(random_state=seed).fit(Xp / np.linalg.norm(Xp, axis=1, keepdims=True))
            placed = tc.labels_ >= 0
            assert tc.n_themes_ == 3 and placed.mean() >= 0.9, (seed, noise, tc.n_themes_)
            assert adjusted_rand_score(truth[placed], tc.labels_[placed]) == 1.0, (seed, noise)


def test_umap_compilation_is_cached_on_disk_unless_turned_off(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import umap; from feedmine.themes.jit_cache import cache_umap_compilation as c; "
            "n = c(); print(n, c())")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.split()
    assert int(on[0]) > 100 and on[1] == "0"  # the libraries' functions, switched on once per process
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**env, "FEEDMINE_NUMBA_CACHE": "0"}).stdout.split()
    assert off == ["0", "0"]
