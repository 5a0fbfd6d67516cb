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
