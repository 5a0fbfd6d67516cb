"""PII masking: recall on the spellings people use, and what it masks in real feedback that holds none.

Recall: every variant form of each kind (phones with spaced dashes, underscores or Korean digit words,
starred registration numbers, obfuscated e-mails, passports, addresses, names beside an honorific ...)
with random digits and names, placed inside real feedback sentences (steam_ko and banking77 texts as
carriers), 40 per form; a case counts when the personal part is gone from the masked text.
False positives: the masker over every text of five real corpora (banking77, nsmc, steam_ko, maalej app
reviews, parakqc), spans per 1,000 texts by kind, each span listed in results/pii_masked_spans.json
so a person can judge it (these corpora are public and hold almost no real personal data, so nearly
every span is a false positive; URLs are masked by design).
Baseline beside it: the regex set a typical pipeline ships (one e-mail pattern, dashed phones, 13-16
digit runs, a dashed RRN).

    python benchmarks/pii_masking.py            # writes results/pii_masking.json and pii_masked_spans.json
"""
from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, SHARED  # noqa: E402

from feedmine.text.pii import PiiMasker  # noqa: E402

SEED = 0
PER_FORM = 40
KOREAN_DIGIT = dict(zip("0123456789", "공일이삼사오육칠팔구"))
# Names never looked at while the rules were made. (The name rules were adjusted on two earlier lists:
# the one in tests/test_pii_variants.py and 영호, 미경, 성민, 혜진, 준영, 은지, 상훈, 수빈, 현우, 지현, 태희,
# 승연, 동현, 보람, 재원, 나연 with surnames 김이박최서신권황안송류전홍고문양, where 재원 was missed until
# role nouns ending in 원 became a list; so this list is the held-out one.)
GIVEN = ["유진", "채원", "시우", "하준", "주원", "예준", "지호", "건우", "서윤", "지우", "하은", "민서",
         "윤서", "소율", "은우", "선영"]
SURNAMES = "손배백허유남심노하곽성차주우구민"
EN_NAMES = ["Smith", "Johnson", "Kevin", "Sarah", "Brown", "Olivia", "Daniel", "Garcia"]


class BaselineMasker:
    """What many pipelines ship: a plain e-mail regex, dashed phones, long digit runs, a dashed RRN."""
    PATTERNS = [re.compile(p) for p in (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
                                         r"\d{2,3}-\d{3,4}-\d{4}", r"\d{6}-\d{7}", r"\b\d{13,16}\b")]

    def mask(self, text: str) -> tuple[str, dict]:
        n = 0
        for p in self.PATTERNS:
            text, k = p.subn("<PII>", text)
            n += k
        return text, ({"PII": n} if n else {})


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


# each form: (kind, form name, make(rng) -> (text of the value, the personal part that must go))
FORMS = [
    ("PHONE", "dashed", lambda r: (v := f"010-{_d(r, 4)}-{_d(r, 4)}", v)),
    ("PHONE", "spaced dashes", lambda r: (v := f"010 - {_d(r, 4)} - {_d(r, 4)}", v)),
    ("PHONE", "underscores", lambda r: (v := f"010_{_d(r, 4)}_{_d(r, 4)}", v)),
    ("PHONE", "dots", lambda r: (v := f"010.{_d(r, 4)}.{_d(r, 4)}", v)),
    ("PHONE", "Korean digit words", lambda r: (v := "".join(KOREAN_DIGIT[c] if c.isdigit() else c for c in
                                                             f"010 {_d(r, 4)} {_d(r, 4)}"), v)),
    ("PHONE", "+82 spaced", lambda r: (v := f"+82 10 {_d(r, 4)} {_d(r, 4)}", v)),
    ("PHONE", "Seoul landline", lambda r: (v := f"02-{_d(r, 3)}-{_d(r, 4)}", v)),
    ("RRN", "dashed", lambda r: (v := f"{r.randint(50, 99)}0{r.randint(1, 9)}1{r.randint(0, 9)}-{r.choice('12')}{_d(r, 6)}", v)),
    ("RRN", "spaced dash", lambda r: (v := f"{r.randint(50, 99)}0{r.randint(1, 9)}1{r.randint(0, 9)} - {r.choice('12')}{_d(r, 6)}", v)),
    ("RRN", "back half starred", lambda r: (v := f"{r.randint(50, 99)}0{r.randint(1, 9)}1{r.randint(0, 9)}-{r.choice('12')}******", v)),
    ("CARD", "spaced, Luhn", lambda r: (v := " ".join(_luhn_complete("4" + _d(r, 14))[i:i + 4] for i in range(0, 16, 4)), v)),
    ("CARD", "dashed, mistyped (fails Luhn)", lambda r: (v := "-".join(("4" + _d(r, 15))[i:i + 4] for i in range(0, 16, 4)), v)),
    ("CARD", "dotted", lambda r: (v := ".".join(_luhn_complete("5" + _d(r, 14))[i:i + 4] for i in range(0, 16, 4)), v)),
    ("ACCOUNT", "bank account", lambda r: (v := f"{_d(r, 3)}-{_d(r, 3)}-{_d(r, 6)}", v)),
    ("EMAIL", "plain", lambda r: (v := f"user{_d(r, 3)}@example.com", v)),
    ("EMAIL", "Korean local part", lambda r: (v := f"{_name(r)}@회사.kr", v)),
    ("EMAIL", "spaced @", lambda r: (v := f"user{_d(r, 3)} @ example.com", v)),
    ("EMAIL", "at / dot", lambda r: (v := f"user{_d(r, 3)} at example dot com", v)),
    ("EMAIL", "(at) (dot)", lambda r: (v := f"user{_d(r, 3)}(at)example(dot)com", v)),
    ("EMAIL", "골뱅이 / 점", lambda r: (v := f"user{_d(r, 3)} 골뱅이 naver 점 com", v)),
    ("PASSPORT", "여권번호", lambda r: (f"여권번호 M{_d(r, 8)}", None)),
    ("PASSPORT", "passport no.", lambda r: (f"passport no. {_d(r, 9)}", None)),
    ("ADDRESS", "road address", lambda r: (v := f"서울시 강남구 테헤란로 {r.randint(1, 999)}", v)),
    ("ADDRESS", "lot address", lambda r: (v := f"서울특별시 강남구 역삼동 {r.randint(1, 999)}-{r.randint(1, 99)}", v)),
    ("ADDRESS", "apartment unit", lambda r: (v := f"{r.randint(101, 120)}동 {r.randint(101, 1504)}호", v)),
    ("ADDRESS", "English street", lambda r: (v := f"{r.randint(1, 9999)} Baker Street", v)),
    ("NAME", "name + 고객님", lambda r: (f"{(n := _name(r))} 고객님", n)),
    ("NAME", "name + 님", lambda r: (f"{(n := _name(r))}님", n)),
    ("NAME", "상담원 + name", lambda r: (f"상담원 {(n := _name(r))}", n)),
    ("NAME", "Mr. + name", lambda r: (f"Mr. {(n := r.choice(EN_NAMES))}", n)),
]


def _secret(value: str, part: str | None) -> str:
    return part if part is not None else value.split()[-1]


def recall(maskers: dict, carriers: list[str]) -> list[dict]:
    rng = random.Random(SEED)
    rows = []
    for kind, form, make in FORMS:
        cases = []
        for _ in range(PER_FORM):
            value, part = make(rng)
            a, b = rng.choice(carriers), rng.choice(carriers)
            cases.append((f"{a} 연락처 {value} {b}", _secret(value, part)))
        row = {"kind": kind, "form": form, "cases": PER_FORM, "example": cases[0][0][:120]}
        for name, masker in maskers.items():
            row[name] = sum(secret not in masker.mask(text)[0] for text, secret in cases) / PER_FORM
        rows.append(row)
    return rows


def corpora() -> dict[str, list[str]]:
    return {
        "banking77 (en)": pd.concat([pd.read_csv(SHARED / "banking77" / f) for f in ("train.csv", "test.csv")])["text"].tolist(),
        "maalej app reviews (en)": pd.read_csv(SHARED / "maalej_app_reviews" / "maalej_app_reviews.csv")["comment"].dropna().astype(str).tolist(),
        "nsmc (ko)": pd.read_csv(SHARED / "nsmc" / "nsmc_sample.csv")["document"].dropna().astype(str).tolist(),
        "steam_ko (ko)": pd.read_csv(SHARED / "steam_ko" / "steam_reviews.csv")["document"].dropna().astype(str).tolist(),
        "parakqc (ko)": pd.read_csv(SHARED / "parakqc" / "parakqc.csv")["text"].dropna().astype(str).tolist(),
    }


_SPAN = re.compile(r"<(EMAIL|URL|IP|RRN|CARD|PHONE|ACCOUNT|PASSPORT|ADDRESS|NAME|PII)>")


def false_positives(maskers: dict, data: dict[str, list[str]]) -> tuple[list[dict], list[dict]]:
    rows, spans = [], []
    for corpus, texts in data.items():
        for name, masker in maskers.items():
            t0 = time.perf_counter()
            masked = [masker.mask(t) for t in texts]
            seconds = time.perf_counter() - t0
            kinds: dict[str, int] = {}
            for (out, counts), text in zip(masked, texts):
                for k, n in counts.items():
                    kinds[k] = kinds.get(k, 0) + n
                if counts and name == "feedmine":
                    spans.append({"corpus": corpus, "kinds": counts, "text": text[:300], "masked": out[:300]})
            total = sum(kinds.values())
            rows.append({"corpus": corpus, "masker": name, "texts": len(texts),
                         "texts_with_a_mask": sum(bool(c) for _, c in masked), "spans": total,
                         "spans_per_1000_texts": round(1000 * total / len(texts), 2), "by_kind": kinds,
                         "texts_per_second": round(len(texts) / seconds)})
    return rows, spans


def main() -> None:
    maskers = {"feedmine": PiiMasker().fit(), "baseline": BaselineMasker()}
    data = corpora()
    carriers = [t for t in data["steam_ko (ko)"][:2000] + data["banking77 (en)"][:2000]
                if not PiiMasker().fit().mask(t)[1]]
    rec = recall(maskers, carriers)
    fps, spans = false_positives(maskers, data)
    summary = {name: round(sum(r[name] for r in rec) / len(rec), 3) for name in maskers}
    out = {"recall_by_form": rec, "mean_recall_over_forms": summary, "false_positives": fps,
           "per_form_cases": PER_FORM, "seed": SEED}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pii_masking.json").write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
    (RESULTS / "pii_masked_spans.json").write_text(json.dumps(spans, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"mean recall over {len(rec)} forms: {summary}")
    for r in rec:
        print(f"  {r['kind']:8} {r['form']:32} feedmine {r['feedmine']:.2f}  baseline {r['baseline']:.2f}")
    for r in fps:
        print(f"  {r['corpus']:24} {r['masker']:9} {r['texts']:6} texts  {r['spans']:4} spans "
              f"({r['spans_per_1000_texts']}/1000)  {r['by_kind']}  {r['texts_per_second']}/s")


if __name__ == "__main__":
    main()
