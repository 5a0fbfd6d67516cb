"""Analyst edits of themes: merge, split, rename, move, and replaying a saved edit log on a later run."""
from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

import feedmine as fm
from feedmine.result.edit import ThemeEditor
from feedmine.result.edit_log import apply_edits, load_edits, save_edits
from feedmine.embed import TfidfEmbedder

TOPICS = {
    "crash": ["The app crashes when I open it", "App crashes on startup every time",
              "The app keeps crashing after the update", "Crashes again when I open the camera",
              "App crashes and I lose my work", "The app crashes all the time now",
              "앱이 자꾸 꺼져요", "앱이 실행하자마자 꺼져요", "업데이트 후 앱이 계속 꺼져요", "앱이 또 꺼져요 짜증나요"],
    "payment": ["Card payment failed at checkout", "My card payment failed twice",
                "Payment failed but the card was charged", "Card payment keeps failing",
                "The payment failed again with my card", "Payment failed on my new card",
                "카드 결제가 안 돼요", "카드 결제 오류가 나요", "결제가 계속 실패해요", "카드 결제가 또 실패했어요"],
    "delivery": ["Delivery was very slow", "My delivery is slow again", "Slow delivery, waited two weeks",
                 "The delivery was slow and late", "Delivery is always slow here", "Very slow delivery this month",
                 "배송이 너무 느려요", "배송이 또 늦어요", "배송 지연이 심해요", "배송이 느리고 늦어요"],
    "login": ["I cannot log in with my password", "Login fails with the right password",
              "Password reset email never arrives", "Cannot log in after password reset",
              "Login keeps saying wrong password", "I forgot my password and cannot log in",
              "로그인이 안 돼요", "비밀번호를 바꿔도 로그인이 안 돼요", "로그인 오류가 계속 나요", "비밀번호 재설정이 안 돼요"],
}
ALL = ("crash", "payment", "delivery", "login")


def _table(topics=ALL) -> pd.DataFrame:
    # ids follow the text, not the row, so a later run with fewer topics keeps each text's id
    rows = [(t, f"{k}-{j}") for k in topics for j, t in enumerate(TOPICS[k])] + [("", "x-0"), ("!!!", "x-1")]
    return pd.DataFrame(rows, columns=["text", "rid"])


def _run(table: pd.DataFrame) -> fm.Result:
    return fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None, min_cluster_size=3),
                       random_state=0, progress=False).run(table, text="text", id="rid")


@pytest.fixture(scope="module")
def result() -> fm.Result:
    return _run(_table())


def _tid(res: fm.Result, word: str) -> int:
    """The theme whose keywords lead with ``word`` (ids differ between runs; keywords say what it is)."""
    hits = [int(r.theme_id) for r in res.themes.itertuples() if r.theme_id >= 0 and word in list(r.keywords)[:3]]
    assert len(hits) == 1, (word, res.themes[["theme_id", "keywords"]])
    return hits[0]


def _size(res: fm.Result, theme_id: int) -> int:
    return int(res.themes.set_index("theme_id").at[theme_id, "size"])


def _check_consistent(res: fm.Result, table: pd.DataFrame) -> None:
    docs = res.documents
    assert docs["id"].tolist() == table["rid"].tolist()  # every input row, once, in order
    counted = docs["theme_id"].dropna().astype(int).value_counts().sort_index()
    assert res.themes.set_index("theme_id")["size"].sort_index().to_dict() == counted.to_dict()
    ranked = res.pain_points
    assert sorted(ranked["rank"].tolist()) == list(range(1, len(ranked) + 1))
    assert ranked["priority"].is_monotonic_decreasing
    for row in res.themes.itertuples():  # quotes are recomputed: they come from the theme's own items
        assert set(row.quote_ids) <= set(docs.loc[docs["theme_id"] == row.theme_id, "id"])
    label_of = dict(zip(res.themes["theme_id"], res.themes["label"]))
    for t, lb in zip(docs["theme_id"], docs["theme_label"]):
        assert (pd.isna(t) and pd.isna(lb)) or label_of[int(t)] == lb
    json.dumps(res.meta["edits"])  # the log must be saveable as it is


def test_merge_recomputes_the_whole_table_and_leaves_the_original_alone(result):
    before = result.themes.copy(deep=True)
    en, ko = _tid(result, "crash"), _tid(result, "꺼지다")
    merged = ThemeEditor(result).merge([ko, en])
    keep = min(en, ko)
    assert set(merged.themes["theme_id"]) == set(result.themes["theme_id"]) - {max(en, ko)}
    assert _size(merged, keep) == _size(result, en) + _size(result, ko)
    kws = set(merged.themes.set_index("theme_id").at[keep, "keywords"])
    assert {"crash", "꺼지다"} <= kws  # keywords from both languages now
    # one big theme: the ranks of every theme are recomputed, and frequency is relative to the new biggest
    assert int(merged.themes.set_index("theme_id").at[keep, "rank"]) == 1
    assert merged.themes.set_index("theme_id").at[keep, "frequency_score"] == 1.0
    assert f"({_size(merged, keep)})" in merged.themes.set_index("theme_id").at[keep, "explanation"]
    # scores are relative: an untouched theme's frequency score falls now that the largest theme is larger
    login = _tid(result, "password")
    old, new = (r.themes.set_index("theme_id").at[login, "frequency_score"] for r in (result, merged))
    assert new < old
    _check_consistent(merged, _table())
    pd.testing.assert_frame_equal(result.themes, before)  # untouched
    assert "edits" not in result.meta
    edit = merged.meta["edits"][-1]
    assert edit["op"] == "merge" and edit["theme_ids"] == sorted([en, ko]) and edit["status"] == "applied"
    assert edit["vectors"] == "lexical" and {tuple(t["keywords"][:1]) for t in edit["themes"]} == {("crash",), ("꺼지다",)}


def test_merge_with_a_label_and_bad_merges(result):
    ed = ThemeEditor(result)
    merged = ed.merge([_tid(result, "delivery"), _tid(result, "배송")], label="Delivery delays")
    keep = min(_tid(result, "delivery"), _tid(result, "배송"))
    row = merged.themes.set_index("theme_id").loc[keep]
    assert row["label"] == "Delivery delays" and bool(row["label_fixed"])
    assert (merged.documents.loc[merged.documents["theme_id"] == keep, "theme_label"] == "Delivery delays").all()
    with pytest.raises(fm.FeedmineError, match="at least two different themes"):
        ed.merge([keep, keep])
    with pytest.raises(fm.FeedmineError, match="no theme 99"):
        ed.merge([keep, 99])
    with pytest.raises(fm.FeedmineError, match="no theme -1"):
        ed.merge([keep, -1])


def test_split_makes_new_themes_whose_sizes_add_up(result):
    en, ko = _tid(result, "crash"), _tid(result, "꺼지다")
    merged = ThemeEditor(result).merge([en, ko])
    keep = min(en, ko)
    ed = ThemeEditor(merged)
    split = ed.split(keep, n=2)
    top = int(merged.themes["theme_id"].max())
    assert keep not in set(split.themes["theme_id"])
    assert _size(split, top + 1) + _size(split, top + 2) == _size(merged, keep)
    # the parts are the two languages again: k-means on vectors, not a random cut
    parts = [set(split.documents.loc[split.documents["theme_id"] == t, "lang"]) for t in (top + 1, top + 2)]
    assert sorted(map(sorted, parts)) == [["en"], ["ko"]]
    assert split.meta["edits"][-1]["new_theme_ids"] == [top + 1, top + 2]
    # each language on its own is tighter than the two together
    tight = split.themes.set_index("theme_id")["tightness"]
    assert min(tight[top + 1], tight[top + 2]) > merged.themes.set_index("theme_id").at[keep, "tightness"]
    _check_consistent(split, _table())
    with pytest.raises(fm.FeedmineError, match="n >= 2"):
        ed.split(top + 1, n=1)
    with pytest.raises(fm.FeedmineError, match="cannot be split in 50"):
        ed.split(top + 1, n=50)


def test_rename_changes_only_the_label_and_sticks_through_a_later_merge(result):
    pay = _tid(result, "card")
    renamed = ThemeEditor(result).rename(pay, "Payments fail")
    cols = [c for c in result.themes.columns if c != "label"]
    pd.testing.assert_frame_equal(renamed.themes[cols], result.themes[cols])  # scores, ranks: unchanged
    assert renamed.themes.set_index("theme_id").at[pay, "label"] == "Payments fail"
    # a merge elsewhere recomputes every label, except the one the analyst chose
    later = ThemeEditor(renamed).merge([_tid(result, "delivery"), _tid(result, "배송")])
    row = later.themes.set_index("theme_id").loc[pay]
    assert row["label"] == "Payments fail" and bool(row["label_fixed"])
    assert later.themes["label_fixed"].sum() == 1
    # merging the renamed theme into another keeps the chosen label on the merged theme
    both = ThemeEditor(later).merge([_tid(result, "결제"), pay])
    assert both.themes.set_index("theme_id").at[min(pay, _tid(result, "결제")), "label"] == "Payments fail"
    with pytest.raises(fm.FeedmineError, match="non-empty string"):
        ThemeEditor(result).rename(pay, "  ")
    with pytest.raises(fm.FeedmineError, match="non-empty string"):
        ThemeEditor(result).merge([pay, _tid(result, "결제")], label="")


def test_move_items_by_id(result):
    docs = result.documents
    login, crash = _tid(result, "password"), _tid(result, "crash")
    ids = docs.loc[docs["theme_id"] == login, "id"].tolist()[:2]
    moved = ThemeEditor(result).move(ids, crash)
    by_id = moved.documents.set_index("id")
    assert (by_id.loc[ids, "theme_id"] == crash).all()
    assert by_id.loc[ids, "theme_confidence"].isna().all()
    assert _size(moved, crash) == _size(result, crash) + 2 and _size(moved, login) == _size(result, login) - 2
    _check_consistent(moved, _table())
    out = ThemeEditor(moved).move([ids[0]], -1)
    assert out.documents.set_index("id").at[ids[0], "theme_id"] == -1
    ed = ThemeEditor(result)
    with pytest.raises(fm.FeedmineError, match="no document with id"):
        ed.move(["nope"], crash)
    skipped = docs.loc[docs["skip_reason"].notna(), "id"].iloc[0]
    with pytest.raises(fm.FeedmineError, match="were skipped"):
        ed.move([skipped], crash)


def test_a_theme_emptied_by_moves_disappears(result):
    docs = result.documents
    ko_delivery = _tid(result, "배송")
    ids = docs.loc[docs["theme_id"] == ko_delivery, "id"].tolist()
    out = ThemeEditor(result).move(ids, _tid(result, "delivery"))
    assert ko_delivery not in set(out.themes["theme_id"])
    _check_consistent(out, _table())


def _edit_sequence(res: fm.Result) -> fm.Result:
    ed = ThemeEditor(res)
    ed.merge([_tid(res, "crash"), _tid(res, "꺼지다")], label="App crashes")
    ed.rename(_tid(res, "card"), "Payments fail")
    ed.split(_tid(res, "password"), n=2)
    docs = ed.result.documents
    return ed.move(docs.loc[docs["text_clean"] == "로그인이 안 돼요", "id"].tolist(), -1)


def test_apply_edits_on_a_second_run_gives_the_same_result(result):
    edited = _edit_sequence(result)
    again = apply_edits(_run(_table()), edited.meta["edits"])
    cols = ["theme_id", "label", "label_fixed", "keywords", "size", "rank", "priority"]
    pd.testing.assert_frame_equal(again.themes[cols], edited.themes[cols])
    assert again.documents["theme_id"].tolist() == edited.documents["theme_id"].tolist()
    assert [e["status"] for e in again.meta["edits"]] == ["applied"] * 4
    assert all(e["replayed"] for e in again.meta["edits"])
    assert again.meta["edits"][0]["matched"] == {str(t): t for t in edited.meta["edits"][0]["theme_ids"]}


def test_apply_edits_skips_an_edit_whose_theme_is_gone(result, caplog):
    edited = _edit_sequence(result)
    later_table = _table(("crash", "delivery", "login"))  # no payment feedback this time
    later = _run(later_table)
    with caplog.at_level(logging.WARNING, logger="feedmine.result.edit"):
        out = apply_edits(later, edited.meta["edits"])
    status = [(e["op"], e["status"]) for e in out.meta["edits"]]
    assert ("rename", "skipped") in status and ("merge", "applied") in status
    reason = next(e["reason"] for e in out.meta["edits"] if e["status"] == "skipped")
    assert "'Payments fail'" in reason or "card" in reason
    assert "matches no theme of this run" in reason and "min_similarity" in caplog.text
    assert "Payments fail" not in set(out.themes["label"])
    assert "App crashes" in set(out.themes["label"])
    assert out.documents["id"].tolist() == later_table["rid"].tolist()
    assert "edits" not in later.meta  # the later run itself is untouched
    # the moved document sits at another row in this run; it is found by its id
    move = next(e for e in out.meta["edits"] if e["op"] == "move")
    assert move["status"] == "applied" and move["item_ids_missing"] == []
    assert out.documents.set_index("id").at["login-6", "theme_id"] == -1


def test_apply_edits_with_unknown_documents_skips_the_move(result):
    moved = ThemeEditor(result).move(["crash-0"], -1)
    log = json.loads(json.dumps(moved.meta["edits"]))
    log[0]["item_ids"] = ["not-there"]
    out = apply_edits(result, log)
    assert out.meta["edits"][0]["status"] == "skipped" and "none of its documents" in out.meta["edits"][0]["reason"]
    assert out.documents["theme_id"].tolist() == result.documents["theme_id"].tolist()


def test_save_and_load_round_trip(result, tmp_path):
    edited = _edit_sequence(result)
    path = save_edits(edited, tmp_path / "edits.json")
    loaded = load_edits(path)
    assert loaded == edited.meta["edits"]
    assert "App crashes" in path.read_text(encoding="utf-8")
    assert apply_edits(result, loaded).themes["label"].tolist() == edited.themes["label"].tolist()
    (tmp_path / "bad.json").write_text('{"op": "merge"}', encoding="utf-8")
    with pytest.raises(fm.FeedmineError, match="list of edit dicts"):
        load_edits(tmp_path / "bad.json")
    with pytest.raises(fm.FeedmineError, match="cannot read an edit log"):
        load_edits(tmp_path / "missing.json")
    # edits survive Result.save / load_result too
    back = fm.load_result(edited.save(tmp_path / "run"))
    assert back.meta["edits"] == edited.meta["edits"]
    # and a loaded result can be edited further; the fixed labels came through the round trip
    again = ThemeEditor(back).merge([_tid(back, "delivery"), _tid(back, "배송")])
    assert {"App crashes", "Payments fail"} <= set(again.themes["label"]) and len(again.meta["edits"]) == 5


def test_given_embeddings_are_used_and_checked(result):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(len(result.documents), 8))
    ed = ThemeEditor(result, embeddings=X)
    out = ed.merge([_tid(result, "crash"), _tid(result, "꺼지다")])
    assert out.meta["edits"][-1]["vectors"] == "embeddings"
    with pytest.raises(fm.FeedmineError, match="one row per documents row"):
        ThemeEditor(result, embeddings=X[:5])


# ----- sentence mode ------------------------------------------------------------------------------
def _multi_issue_table() -> pd.DataFrame:
    """Crash reports, dark-mode requests, items with both (as in test_sentences), one with a dark-mode
    sentence before two crash sentences, and two skipped rows."""
    crash = ["The app crashes every time I open it.", "It keeps crashing on startup after the update.",
             "Crashes constantly when I open the camera.", "The app crashed again and I lost my work."]
    dark = ["Please add a dark mode for night reading.", "I wish there was a dark theme option.",
            "A dark mode would be really nice to have.", "Please give us a night mode with dark colours."]
    rows = [f"{r} (#{i})" for i, r in enumerate(crash * 3 + dark * 3)]
    both = [f"{c} Also, {d[0].lower()}{d[1:]}" for c, d in zip(crash, dark)]
    three = f"{dark[0]} {crash[0]} {crash[1]}"
    texts = rows + both + [three, "", "!!!"]
    return pd.DataFrame({"text": texts, "rid": [f"r{i}" for i in range(len(texts))]})


def _seg_run(table: pd.DataFrame) -> fm.Result:
    return fm.Pipeline(embedder=TfidfEmbedder(n_components=16), clusterer=fm.ThemeClusterer(reducer=None),
                       unit="sentence", random_state=0, progress=False).run(table, text="text", id="rid")


@pytest.fixture(scope="module")
def seg_result() -> fm.Result:
    return _seg_run(_multi_issue_table())


def _both(res: fm.Result) -> pd.DataFrame:
    """The items with a crash sentence and a dark-mode sentence."""
    return res.documents.iloc[24:28]


def _pair(res: fm.Result) -> tuple[int, int]:
    """(crash theme, dark-mode theme); every two-issue item is in both."""
    crash, dark = _tid(res, "crash"), _tid(res, "dark")
    assert (_both(res)["theme_ids"].map(sorted) == [sorted([crash, dark])] * 4).all(), res.documents["theme_ids"]
    return crash, dark


def _seg_of(res: fm.Result, rid: str) -> set[int]:
    seg = res.sentences
    return set(seg.loc[seg["id"] == rid, "theme_id"].astype(int))


def _check_sentences_consistent(res: fm.Result, table: pd.DataFrame) -> None:
    docs, seg = res.documents, res.sentences
    assert docs["id"].tolist() == table["rid"].tolist()  # every input row, once, in order
    for row in docs.itertuples():
        ts = list(row.theme_ids)
        if pd.isna(row.theme_id):
            assert ts == []
            continue
        assert len(ts) == len(set(ts))  # an item is in a theme once
        assert row.theme_id == (ts[0] if ts else -1)  # the primary follows the list
        assert set(ts) <= _seg_of(res, row.id)  # each of its themes holds one of its sentences
    # sizes count items (once per theme they are in), never sentences
    members = res.memberships()
    assert res.themes.set_index("theme_id")["size"].to_dict() == \
        {**{t: 0 for t in res.themes["theme_id"]}, **members["theme_id"].value_counts().to_dict()}
    assert set(seg["theme_id"].astype(int)) == set(res.themes["theme_id"].astype(int))
    ranked = res.pain_points
    assert sorted(ranked["rank"].tolist()) == list(range(1, len(ranked) + 1))
    assert ranked["priority"].is_monotonic_decreasing
    for row in res.themes.itertuples():  # quotes are recomputed from the theme's own sentences
        assert set(row.quote_ids) <= set(seg.loc[seg["theme_id"] == row.theme_id, "id"].astype(str))
    label_of = dict(zip(res.themes["theme_id"], res.themes["label"]))
    for t, lb in zip(docs["theme_id"], docs["theme_label"]):
        assert (pd.isna(t) and pd.isna(lb)) or label_of[int(t)] == lb
    json.dumps(res.meta["edits"])


def _frozen(res: fm.Result):
    return (res.documents["theme_ids"].map(list).tolist(), res.documents["theme_id"].tolist(),
            res.sentences.copy(deep=True), res.themes.copy(deep=True))


def _untouched(res: fm.Result, frozen) -> None:
    lists, primary, seg, themes = frozen
    assert res.documents["theme_ids"].map(list).tolist() == lists
    assert res.documents["theme_id"].tolist() == primary
    pd.testing.assert_frame_equal(res.sentences, seg)
    pd.testing.assert_frame_equal(res.themes, themes)
    assert "edits" not in res.meta


def test_sentence_merge_puts_an_item_of_both_themes_in_the_kept_one_once(seg_result):
    frozen = _frozen(seg_result)
    crash, dark = _pair(seg_result)
    keep, gone = min(crash, dark), max(crash, dark)
    merged = ThemeEditor(seg_result).merge([dark, crash])
    docs = merged.documents
    assert (_both(merged)["theme_ids"].map(list) == [[keep]] * 4).all()  # was in both: now one id, once
    before = seg_result.documents["theme_ids"].map(list)
    for old, new in zip(before, docs["theme_ids"].map(list)):  # other themes stay, in their order
        assert new == list(dict.fromkeys(keep if t in (crash, dark) else t for t in old))
    assert gone not in set(merged.themes["theme_id"]) and gone not in set(merged.sentences["theme_id"])
    was = seg_result.sentences["theme_id"].isin([crash, dark]).to_numpy()
    assert (merged.sentences.loc[was, "theme_id"] == keep).all()
    # the size counts items: the two-issue items have two sentences in the merged theme but count once
    n_items = int(docs["theme_ids"].map(lambda ts: keep in list(ts)).sum())
    assert int(merged.themes.set_index("theme_id").at[keep, "size"]) == n_items
    assert n_items < int((merged.sentences["theme_id"] == keep).sum())
    kws = set(merged.themes.set_index("theme_id").at[keep, "keywords"])
    assert kws & set(seg_result.themes.set_index("theme_id").at[crash, "keywords"])
    assert kws & set(seg_result.themes.set_index("theme_id").at[dark, "keywords"])
    _check_sentences_consistent(merged, _multi_issue_table())
    _untouched(seg_result, frozen)


def test_sentence_move_takes_the_item_and_its_segments(seg_result):
    frozen = _frozen(seg_result)
    crash, dark = _pair(seg_result)
    docs = seg_result.documents
    single = docs.loc[docs["theme_ids"].map(lambda ts: list(ts) == [crash]), "id"].iloc[0]
    multi = _both(seg_result).iloc[0]["id"]
    moved = ThemeEditor(seg_result).move([single, multi], dark)
    by_id = moved.documents.set_index("id")
    for rid in (single, multi):
        assert list(by_id.at[rid, "theme_ids"]) == [dark] and by_id.at[rid, "theme_id"] == dark
        assert _seg_of(moved, rid) == {dark}
        assert pd.isna(by_id.at[rid, "theme_confidence"])
    size = lambda r, t: int(r.themes.set_index("theme_id").at[t, "size"])  # noqa: E731
    assert size(moved, dark) == size(seg_result, dark) + 1  # the multi item was in it already
    assert size(moved, crash) == size(seg_result, crash) - 2
    _check_sentences_consistent(moved, _multi_issue_table())
    out = ThemeEditor(moved).move([multi], -1)
    row = out.documents.set_index("id").loc[multi]
    assert list(row["theme_ids"]) == [] and row["theme_id"] == -1 and _seg_of(out, multi) == {-1}
    assert multi in set(out.theme(-1)["id"])
    _check_sentences_consistent(out, _multi_issue_table())
    with pytest.raises(fm.FeedmineError, match="were skipped"):
        ThemeEditor(seg_result).move([docs.loc[docs["skip_reason"].notna(), "id"].iloc[0]], dark)
    _untouched(seg_result, frozen)


def test_sentence_split_splits_segments_and_items_keep_their_other_themes(seg_result):
    frozen = _frozen(seg_result)
    crash, dark = _pair(seg_result)
    split = ThemeEditor(seg_result).split(crash, n=2)
    top = int(seg_result.themes["theme_id"].max())
    parts = [top + 1, top + 2]
    assert split.meta["edits"][-1]["new_theme_ids"] == parts
    assert crash not in set(split.themes["theme_id"]) and crash not in set(split.sentences["theme_id"])
    was = seg_result.sentences["theme_id"].eq(crash).to_numpy()
    assert set(split.sentences.loc[was, "theme_id"]) == set(parts)  # the theme's sentences, and only them
    assert (split.sentences.loc[~was, "theme_id"] == seg_result.sentences.loc[~was, "theme_id"]).all()
    seg = split.sentences
    in_both = 0
    for old, row in zip(seg_result.documents["theme_ids"].map(list), split.documents.itertuples()):
        new = list(row.theme_ids)
        got = [t for t in new if t in parts]
        if crash not in old:
            assert new == old
            continue
        assert got and [t for t in new if t not in parts] == [t for t in old if t != crash]  # others kept
        assert new.index(got[0]) == old.index(crash)  # in the old id's place
        counts = seg.loc[(seg["id"] == row.id) & seg["theme_id"].isin(parts), "theme_id"].value_counts()
        assert counts[got[0]] == counts.max()  # the part covering more of its sentences comes first
        in_both += len(got) == 2
    size = split.themes.set_index("theme_id")["size"]
    old_size = int(seg_result.themes.set_index("theme_id").at[crash, "size"])
    assert size[parts[0]] + size[parts[1]] == old_size + in_both  # sizes add up over items
    assert dark in list(_both(split).iloc[0]["theme_ids"])  # the two-issue item keeps its dark-mode theme
    _check_sentences_consistent(split, _multi_issue_table())
    with pytest.raises(fm.FeedmineError, match="segments but fewer than 50 distinct texts"):
        ThemeEditor(seg_result).split(crash, n=50)
    _untouched(seg_result, frozen)


def test_sentence_split_puts_an_item_whose_segments_part_in_both_parts(seg_result):
    crash, dark = _pair(seg_result)
    keep = min(crash, dark)
    merged = ThemeEditor(seg_result).merge([crash, dark])
    split = ThemeEditor(merged).split(keep, n=2)
    top = int(merged.themes["theme_id"].max())
    part_of = {w: _tid(split, w) for w in ("crash", "dark")}  # k-means parts them by topic again
    assert sorted(part_of.values()) == [top + 1, top + 2]
    lists = split.documents.set_index("id")["theme_ids"].map(list)
    seg = split.sentences
    for rid in _both(split)["id"]:  # one sentence in each part at most: a tie, the first segment's part leads
        assert lists[rid] == list(dict.fromkeys(seg.loc[seg["id"] == rid, "theme_id"]))
    # dark first, then two crash sentences: the crash part covers more of its sentences, so it is primary
    three = split.documents.iloc[28]
    assert seg.loc[seg["id"] == three["id"], "theme_id"].tolist() == [part_of["dark"]] + [part_of["crash"]] * 2
    assert list(three["theme_ids"]) == [part_of["crash"], part_of["dark"]] and three["theme_id"] == part_of["crash"]
    size = split.themes.set_index("theme_id")["size"]
    in_both = int(split.documents["theme_ids"].map(lambda ts: {top + 1, top + 2} <= set(ts)).sum())
    assert in_both >= 4  # most two-issue items, and the three-sentence one
    assert size[top + 1] + size[top + 2] == int(merged.themes.set_index("theme_id").at[keep, "size"]) + in_both
    _check_sentences_consistent(split, _multi_issue_table())


def test_sentence_rename_changes_only_the_label(seg_result):
    crash, _ = _pair(seg_result)
    renamed = ThemeEditor(seg_result).rename(crash, "App crashes")
    cols = [c for c in seg_result.themes.columns if c != "label"]
    pd.testing.assert_frame_equal(renamed.themes[cols], seg_result.themes[cols])
    pd.testing.assert_frame_equal(renamed.sentences, seg_result.sentences)
    assert renamed.documents["theme_ids"].map(list).tolist() == seg_result.documents["theme_ids"].map(list).tolist()
    assert (renamed.documents.loc[renamed.documents["theme_id"] == crash, "theme_label"] == "App crashes").all()


def test_sentence_embeddings_are_per_segment(seg_result):
    rng = np.random.default_rng(0)
    crash, dark = _pair(seg_result)
    X = rng.normal(size=(len(seg_result.sentences), 8))
    out = ThemeEditor(seg_result, embeddings=X).merge([crash, dark])
    assert out.meta["edits"][-1]["vectors"] == "embeddings"
    with pytest.raises(fm.FeedmineError, match="one row per result.sentences row"):
        ThemeEditor(seg_result, embeddings=rng.normal(size=(len(seg_result.documents), 8)))


def _seg_edit_sequence(res: fm.Result) -> fm.Result:
    crash, dark = _pair(res)
    ed = ThemeEditor(res)
    top = int(res.themes["theme_id"].max())
    ed.split(crash, n=2)
    ed.merge([top + 1, top + 2], label="App crashes")
    ed.rename(dark, "Dark mode")
    return ed.move([_both(res).iloc[1]["id"]], -1)


def test_sentence_apply_edits_on_a_second_run_gives_the_same_result(seg_result, tmp_path):
    edited = _seg_edit_sequence(seg_result)
    _check_sentences_consistent(edited, _multi_issue_table())
    assert {"App crashes", "Dark mode"} <= set(edited.themes["label"])
    again = apply_edits(_seg_run(_multi_issue_table()), load_edits(save_edits(edited, tmp_path / "edits.json")))
    assert [e["status"] for e in again.meta["edits"]] == ["applied"] * 4
    cols = ["theme_id", "label", "label_fixed", "keywords", "size", "rank", "priority"]
    pd.testing.assert_frame_equal(again.themes[cols], edited.themes[cols])
    assert again.documents["theme_ids"].map(list).tolist() == edited.documents["theme_ids"].map(list).tolist()
    assert again.sentences["theme_id"].tolist() == edited.sentences["theme_id"].tolist()
    # a saved and loaded sentence-mode result is editable too
    back = fm.load_result(edited.save(tmp_path / "run"))
    crash, dark = (int(t) for t in edited.pain_points.set_index("label").loc[["App crashes", "Dark mode"], "theme_id"])
    merged = ThemeEditor(back).merge([crash, dark])
    _check_sentences_consistent(merged, _multi_issue_table())


def test_edits_recompute_summaries_and_explanations():
    table = pd.DataFrame({"text": [f"The app crashes when I open the camera, number {i}." for i in range(8)]
                          + [f"Please add a dark mode for reading at night, idea {i}." for i in range(8)],
                          "rid": [f"x{i}" for i in range(16)], "channel": ["ios"] * 8 + ["android"] * 8})
    res = fm.Pipeline(embedder=TfidfEmbedder(n_components=8), clusterer=fm.ThemeClusterer(reducer=None,
                            min_cluster_size=3), random_state=0, progress=False).run(table, text="text", id="rid",
                                                                                     channel="channel")
    ids = [int(t) for t in res.themes["theme_id"] if t >= 0]
    merged = ThemeEditor(res).merge(ids)
    row = merged.themes.set_index("theme_id").loc[min(ids)]
    assert row["summary"] and " / " in row["summary"]
    assert "segment_note" in merged.themes and isinstance(row["explanation"], str)
