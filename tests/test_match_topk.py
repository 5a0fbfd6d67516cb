"""The matcher's top-k: the same neighbours as a full partition, whatever rows sit beside a row."""
import numpy as np
import pytest

from feedmine.themes.match import top_k


def _values(S, idx):
    return np.sort(np.take_along_axis(S, idx, axis=1), axis=1)


@pytest.mark.parametrize("m", [7, 500, 3000, 20000])
def test_top_k_finds_the_k_largest(m):
    rng = np.random.RandomState(m)
    S = rng.rand(64, m).astype(np.float32)
    S[3, :] = 0.25                      # every reference ties
    S[4, : m // 2] = 0.999              # half of them tie at the top
    S[5, 0] = -np.inf                   # an excluded self-vote
    k = 5
    got = top_k(S, k)
    assert got.shape == (64, min(k, m)) or m < k
    want = -np.sort(-S, axis=1)[:, :k]
    assert np.array_equal(_values(S, got), np.sort(want, axis=1))
    assert all(len(set(r)) == len(r) for r in got)


def test_a_rows_neighbours_do_not_depend_on_its_block():
    rng = np.random.RandomState(0)
    S = rng.rand(40, 5000).astype(np.float32)
    S[10, 100:400] = 0.9999             # a crowded row beside ordinary ones
    S[11, 100:300] = S[11].max() + 0.5  # ties just under the crowding limit
    whole = top_k(S, 5)
    for r in (0, 10, 11, 39):
        assert np.array_equal(top_k(S[r:r + 1], 5)[0], whole[r])


@pytest.mark.parametrize("accept", ["threshold", "all"])
def test_fit_match_equals_fit_then_match(accept):
    """fit_match reuses fit's own pass; it must give exactly what a second pass gives."""
    from feedmine.themes.match import ThemeMatcher

    rng = np.random.RandomState(1)
    centres = rng.randn(4, 16)
    X = (np.repeat(centres, 60, axis=0) + 0.6 * rng.randn(240, 16)).astype(np.float32)
    labels = np.repeat(np.arange(4), 60)
    labels[rng.rand(240) < 0.2] = -1  # the clusterer's noise
    X[7] = X[8]                       # a repeated text must not vote for itself in either path
    X[239], labels[239] = rng.randn(16) * 0.01 - centres.sum(axis=0), -1  # far from every theme
    one = ThemeMatcher(n_neighbors=5, accept=accept).fit_match(X, labels)
    two = ThemeMatcher(n_neighbors=5, accept=accept).fit(X, labels).match(X)
    for a, b in zip(one, two):
        assert np.array_equal(a, b)
    assert (one[0] == -1).any() or accept == "all"


def test_fit_match_without_themes_leaves_all_unassigned():
    from feedmine.themes.match import ThemeMatcher

    X = np.eye(5, dtype=np.float32)
    lab, conf, score = ThemeMatcher().fit_match(X, np.full(5, -1))
    assert (lab == -1).all() and (conf == 0).all() and np.isneginf(score).all()
