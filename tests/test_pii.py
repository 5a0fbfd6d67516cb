"""Tests for PiiMasker (feedmine.text.pii)."""
import re
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from feedmine.text.pii import KINDS, PiiMasker

MASKER = PiiMasker().fit()


def mask(text, **params):
    return (PiiMasker(**params).fit() if params else MASKER).mask(text)


def luhn_complete(body):
    """Append the Luhn check digit to a digit string."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


# ----- each kind in context ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected, counts", [
    ("제 번호는 010-1234-5678 입니다", "제 번호는 <PHONE> 입니다", {"PHONE": 1}),
    ("call me at +82 10 1234 5678 asap", "call me at <PHONE> asap", {"PHONE": 1}),
    ("카드 4111 1111 1111 1111 로 결제했는데", "카드 <CARD> 로 결제했는데", {"CARD": 1}),
    ("주민번호 900101-1234567 유출됐어요", "주민번호 <RRN> 유출됐어요", {"RRN": 1}),
    ("계좌 110-123-456789 로 환불해주세요", "계좌 <ACCOUNT> 로 환불해주세요", {"ACCOUNT": 1}),
    ("메일 hong.gildong@example.co.kr 로 주세요", "메일 <EMAIL> 로 주세요", {"EMAIL": 1}),
    ("see https://example.com/a?b=1", "see <URL>", {"URL": 1}),
    ("IP 192.168.0.1 에서 접속", "IP <IP> 에서 접속", {"IP": 1}),
    ("메일 hong@example.com으로 보내고 010-1234-5678로 연락주세요",
     "메일 <EMAIL>으로 보내고 <PHONE>로 연락주세요", {"EMAIL": 1, "PHONE": 1}),
])
def test_sentences(text, expected, counts):
    assert mask(text) == (expected, counts)


@pytest.mark.parametrize("value", [
    "010-1234-5678", "01012345678", "010 1234 5678", "010.1234.5678", "011-123-4567", "016-1234-5678",
    "017 123 4567", "018-1234-5678", "019-123-4567",
    "+82 10-1234-5678", "+82-10-1234-5678", "+821012345678", "+82 10 1234 5678", "+82 (0)10-1234-5678",
    "+82 2-123-4567",
    "02-123-4567", "02-1234-5678", "031-1234-5678", "051-123-4567", "064-123-4567", "(02) 123-4567",
    "0505-123-4567", "0505-1234-5678", "070-1234-5678", "080-123-4567",
    "1588-1234", "1577-1234", "1544 1234", "1600-1234", "1899-1234", "15881234",
    "+1 415-555-0132", "+1 (415) 555-0132", "+14155550132", "(415) 555-0132", "(415)555-0132",
    "415-555-0132", "415.555.0132",
])
def test_phone_formats(value):
    for text in (f"번호 {value} 입니다", f"번호 {value}로 연락", f"call {value}, thanks"):
        out, counts = mask(text)
        assert counts == {"PHONE": 1}, text
        assert value not in out


@pytest.mark.parametrize("value", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5500 0000 0000 0004",
    "3782 822463 10005", "378282246310005", "3056 930902 5904", "4222222222222",
    "6011 0009 9013 9424", "6304 0000 0000 0000 018",
])
def test_card_formats(value):
    out, counts = mask(f"카드 {value} 로 결제했는데 두 번 빠져나감")
    assert counts == {"CARD": 1}
    assert value not in out


def test_space_grouped_card_followed_by_a_number_keeps_the_number():
    assert mask("카드 4111 1111 1111 1111 2024 년에 결제") == ("카드 <CARD> 2024 년에 결제", {"CARD": 1})


@pytest.mark.parametrize("value", ["900101-1234567", "900101 1234567", "9001011234567", "021231-3123456",
                                   "000229-4123456", "851130-2123456", "200315-5123456", "991231-8000000"])
def test_rrn_formats(value):
    assert mask(f"주민번호 {value} 유출됐어요") == ("주민번호 <RRN> 유출됐어요", {"RRN": 1})


@pytest.mark.parametrize("value", ["901301-1234567", "900132-1234567", "900230-1234567", "900431-1234567",
                                   "900101-9234567", "900101-0234567", "900100-1234567"])
def test_rrn_needs_plausible_date_and_sex_digit(value):
    _, counts = mask(f"번호 {value} 입니다")
    assert "RRN" not in counts


@pytest.mark.parametrize("value", ["110-123-456789", "1002-123-456789", "123-45-678901", "3333-01-1234567",
                                   "356-0123-4567-83", "123456-12-123456", "1234567890", "1234567890123456"])
def test_account_formats(value):
    assert mask(f"계좌 {value} 로 환불해주세요") == ("계좌 <ACCOUNT> 로 환불해주세요", {"ACCOUNT": 1})


@pytest.mark.parametrize("value", [
    "hong@example.com", "hong.gildong@example.co.kr", "first.last+tag@mail.sub.example.org",
    "user_99@naver.com", "A.B-C@Example-Domain.IO",
])
def test_email_formats(value):
    for text in (f"메일 {value} 로 주세요", f"메일 {value}로 주세요", f"mail me at {value}."):
        out, counts = mask(text)
        assert counts == {"EMAIL": 1}, text
        assert value not in out


@pytest.mark.parametrize("text, expected", [
    ("see https://example.com/a?b=1", "see <URL>"),
    ("see http://example.com.", "see <URL>."),
    ("HTTPS://EXAMPLE.COM/PATH 접속 안됨", "<URL> 접속 안됨"),
    ("www.naver.com에서 로그인 안돼요", "<URL>에서 로그인 안돼요"),
    ("(link: https://x.com/a_(b)) broken", "(link: <URL>) broken"),
    ("https://x.com/?mail=a@b.com 오류", "<URL> 오류"),
    ("http://192.168.0.1/admin 열림", "<URL> 열림"),
])
def test_url_formats(text, expected):
    assert mask(text) == (expected, {"URL": 1})


@pytest.mark.parametrize("value", ["192.168.0.1", "10.0.0.255", "8.8.8.8", "255.255.255.255",
                                   "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8::1", "::1",
                                   "fe80::1ff:fe23:4567:890a", "::ffff:192.168.0.1"])
def test_ip_formats(value):
    for text in (f"IP {value} 에서 접속", f"IP {value}에서 접속", f"from {value}, blocked"):
        out, counts = mask(text)
        assert counts == {"IP": 1}, text
        assert value not in out


# ----- what must stay ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "15,000원 결제했는데 환불이 안돼요", "$4.99 per month is too much", "가격 1500-2000원 사이", "1,234,567원",
    "2024-03-15 주문했어요", "24.03.15 배송 출발", "2024.03.15 14:30 에 주문", "오후 2:30 PM 도착",
    "10:30:00 에 오류", "v2.3.1 업데이트 후 튕김", "iOS 17.2 에서 안됨", "버전 1.2.3.4 에서 오류",
    "app v1.2.3.4 crashes", "3번 연속 결제 실패", "4.5점 드립니다", "주문번호 20240315 확인 부탁",
    "주문 123456789 건", "100,000,000원", "10000000000원 결제", "1600-1800년대 배경", "3 4 5 6 7 8 9",
    "평점 10/10", "ORD12345678901 주문", "std::vector 오류", "a::b 뭐지", "256.1.1.1 주소", "1.2.3",
    "1.2.3.4.5 빌드", "2024-03-15-1234 기록", "192.168.01.1",
    "1010101010", "평점 0000000000000", "0000 0000 0000 0000", "1212-1212-1212",  # key-mashing
])
def test_ordinary_numbers_not_masked(text):
    assert mask(text) == (text, {})


def test_sixteen_digits_failing_luhn_are_an_account_or_a_mistyped_card():
    # documented choice: unbroken bank-account-shaped digits are masked either way; four groups of
    # four is a card's layout, masked as a CARD even with a mistyped digit
    assert mask("번호 1234567890123456 입니다") == ("번호 <ACCOUNT> 입니다", {"ACCOUNT": 1})
    for sep in ("-", " ", ".", " - "):
        number = sep.join(["1234", "5678", "9012", "3456"])
        assert mask(f"번호 {number} 입니다") == ("번호 <CARD> 입니다", {"CARD": 1}), number
    assert mask("번호 4111-1111-1111-1111 입니다") == ("번호 <CARD> 입니다", {"CARD": 1})
    assert mask("번호 1234 5678 9012 345 입니다")[1] == {}  # 4-4-4-3 failing Luhn: no card layout


def test_not_masked_inside_longer_digit_runs():
    for text in ("010-1234-5678-1", "901234567890123456789", "1.192.168.0.1.2",
                 "12345678901234567", "4111111111111111111111"):
        assert mask(text) == (text, {}), text
    # a longer dashed run is never partly a PHONE; whole, it is account-shaped
    for text in ("1234010-1234-5678", "010-1234-56789", "900101-1234567-12", "9001011234567890"):
        assert mask(text) == ("<ACCOUNT>", {"ACCOUNT": 1}), text


def test_several_kinds_and_counts():
    text = "010-1111-2222, 010-3333-4444 또는 a@b.com / c@d.org, 카드 4111111111111111"
    out, counts = mask(text)
    assert out == "<PHONE>, <PHONE> 또는 <EMAIL> / <EMAIL>, 카드 <CARD>"
    assert counts == {"EMAIL": 2, "CARD": 1, "PHONE": 2}
    assert list(counts) == [k for k in KINDS if k in counts]


def test_existing_placeholder_untouched():
    assert mask("번호 <PHONE> 이메일 <EMAIL>") == ("번호 <PHONE> 이메일 <EMAIL>", {})
    digits = PiiMasker(placeholder="[{kind}-0000000000]").fit()
    once, _ = digits.mask("전화 010-1234-5678 계좌 110-123-456789")
    assert once == "전화 [PHONE-0000000000] 계좌 [ACCOUNT-0000000000]"
    assert digits.mask(once) == (once, {})


@pytest.mark.parametrize("text", ["", " ", "@", "://", "http://", "www.", "::", ":::::", "a@b", "0" * 50,
                                  "\x00010-1234-5678\x00", "1-" * 5000, "1." * 5000, "a." * 5000 + "@",
                                  "1:" * 5000, "https://" + "(" * 3000 + ")" * 3000, "a" * 20000 + "@x"])
def test_odd_inputs_do_not_raise_and_stay_fast(text):
    start = time.perf_counter()
    out, counts = mask(text)
    assert isinstance(out, str) and isinstance(counts, dict)
    assert time.perf_counter() - start < 2


def test_non_string_passes_through():
    assert mask(None) == (None, {})
    assert mask(12345678901) == (12345678901, {})


# ----- parameters ---------------------------------------------------------------------------------

def test_kinds_subset():
    text = "메일 a@b.com 전화 010-1234-5678"
    assert mask(text, kinds=["EMAIL"]) == ("메일 <EMAIL> 전화 010-1234-5678", {"EMAIL": 1})
    assert mask(text, kinds="phone") == ("메일 a@b.com 전화 <PHONE>", {"PHONE": 1})
    assert mask(text, kinds=[]) == (text, {})


def test_unknown_kind_lists_valid_ones():
    with pytest.raises(ValueError, match="SSN.*EMAIL, URL, IP, RRN, CARD, PHONE, ACCOUNT"):
        PiiMasker(kinds=["EMAIL", "SSN"]).fit()
    with pytest.raises(ValueError, match="valid kinds"):
        PiiMasker(kinds=["EMAIL", "SSN"]).fit_transform(["x"])


@pytest.mark.parametrize("bad", ["<{name}>", "<{0}>", "{", None])
def test_bad_placeholder(bad):
    with pytest.raises(ValueError, match="placeholder"):
        PiiMasker(placeholder=bad).fit()


def test_custom_placeholder():
    assert mask("010-1234-5678", placeholder="[{kind}]") == ("[PHONE]", {"PHONE": 1})
    assert mask("010-1234-5678", placeholder="***") == ("***", {"PHONE": 1})


def test_get_params_and_clone():
    masker = PiiMasker(kinds=("EMAIL", "URL"), placeholder="[{kind}]")
    assert masker.get_params() == {"kinds": ("EMAIL", "URL"), "placeholder": "[{kind}]"}
    copy = clone(masker.fit())
    assert copy.get_params() == masker.get_params()
    assert not hasattr(copy, "patterns_")
    assert list(masker.patterns_) == ["URL", "EMAIL"]
    masker.set_params(kinds=None).fit()
    assert list(masker.patterns_) == ["URL", "EMAIL", "IP", "RRN", "CARD", "PASSPORT", "PHONE", "ACCOUNT",
                                      "ADDRESS", "NAME"]


def test_transform_shape_order_and_types():
    texts = ["전화 010-1234-5678", None, "no pii here", 3.5, "a@b.com and c@d.com 010-1111-2222"]
    out = PiiMasker().fit_transform(pd.Series(texts, index=[9, 8, 7, 6, 5]))
    assert list(out.columns) == ["text_masked", "pii_counts"] + [f"pii_{k.lower()}" for k in KINDS]
    assert len(out) == 5 and list(out.index) == [0, 1, 2, 3, 4]
    assert out["text_masked"].tolist()[:3] == ["전화 <PHONE>", None, "no pii here"]
    assert out["text_masked"].iloc[3] == 3.5
    assert out["pii_counts"].tolist() == [{"PHONE": 1}, {}, {}, {}, {"EMAIL": 2, "PHONE": 1}]
    assert out["pii_phone"].tolist() == [1, 0, 0, 0, 1]
    assert out["pii_email"].tolist() == [0, 0, 0, 0, 2]
    assert all(out[f"pii_{k.lower()}"].dtype == "int64" for k in KINDS)


def test_transform_only_enabled_kind_columns_and_empty_input():
    out = PiiMasker(kinds=["PHONE", "EMAIL"]).transform([])
    assert list(out.columns) == ["text_masked", "pii_counts", "pii_email", "pii_phone"]
    assert len(out) == 0


# ----- properties -----------------------------------------------------------------------------------

FRAGMENTS = [
    "배송이 너무 느려요", "제 번호는", "연락 주세요", "환불 부탁드립니다", "앱이 자꾸 꺼져요", "결제가 안돼요",
    "고객센터 연결이 안됨", "please call me", "my card was charged twice", "the app keeps crashing",
    "contact me at", "refund to", "thanks!", "ㅠㅠ", "진짜 최악", "15,000원 결제", "3번 연속 실패", "4.5점",
    "v2.3.1 업데이트 후", "2024-03-15 주문", "오후 2:30 도착", "(급함)", "-", "...", "?",
]
PARTICLES = ["", "", "으로", "로", "이요", "입니다", "에서", ".", ",", "!"]
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def repetitive(value):
    # the masker leaves "0000000000" / "1010101010"-like runs alone (key-mashing, not a card or account)
    d = re.sub(r"\D", "", value)
    return d == (d[:2] * len(d))[:len(d)]


def n_digits(n):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def phones(draw):
    sep = draw(st.sampled_from(["-", " ", ".", ""]))
    form = draw(st.sampled_from(["mobile", "intl", "land"]))
    tail = draw(n_digits(4)) + sep + draw(n_digits(4))
    if form == "mobile":
        return draw(st.sampled_from(["010", "011", "016", "017", "018", "019"])) + sep + tail
    if form == "intl":
        return "+82" + draw(st.sampled_from([" ", "-", ""])) + "10" + sep + tail
    return draw(st.sampled_from(["02", "031", "051", "070", "0505"])) + sep + tail


@st.composite
def cards(draw):
    n = draw(st.sampled_from([14, 15, 16, 19]))
    number = luhn_complete(draw(st.sampled_from(["4", "5", "3", "6"])) + draw(n_digits(n - 2)))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(number[i:i + 4] for i in range(0, n, 4)) if sep else number


@st.composite
def rrns(draw):
    date = draw(st.dates())
    return date.strftime("%y%m%d") + draw(st.sampled_from(["-", " ", ""])) + draw(
        st.sampled_from("12345678")) + draw(n_digits(6))


@st.composite
def accounts(draw):
    shape = draw(st.sampled_from([(3, 3, 6), (4, 3, 6), (3, 2, 6), (4, 2, 7), (3, 4, 4, 2), (6, 2, 6)]))
    return "-".join(draw(n_digits(k)) for k in shape)


label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
emails = st.builds(lambda a, b, d, t: f"{a}.{b}@{d}.{t}", label, label, label,
                   st.sampled_from(["com", "co.kr", "net", "org", "io"]))
urls = st.builds(lambda s, d, p: f"{s}{d}.com/{p}", st.sampled_from(["http://", "https://", "www."]), label,
                 st.text(alphabet="abcxyz0123456789/?=&_-", max_size=12))
ipv4s = st.builds(lambda *o: ".".join(map(str, o)), *[st.integers(0, 255)] * 4)

VALUES = {"PHONE": phones(), "CARD": cards().filter(lambda v: not repetitive(v)), "RRN": rrns(),
          "ACCOUNT": accounts().filter(lambda v: not repetitive(v)), "EMAIL": emails,
          "URL": urls, "IP": ipv4s}


@st.composite
def sentences_with(draw, kind):
    value = draw(VALUES[kind])
    before = " ".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=3)))
    after = " ".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=3)))
    text = (before + " " if before else "") + value + draw(st.sampled_from(PARTICLES)) + " " + after
    return kind, value, text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(VALUES)).flatmap(sentences_with))
def test_property_embedded_pii_is_masked(case):
    kind, value, text = case
    out, counts = MASKER.mask(text)
    assert value not in out
    assert counts.get(kind, 0) >= 1


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from(sorted(VALUES)).flatmap(sentences_with).map(lambda c: c[2]), st.text(),
                 st.text(alphabet="0123456789 -.:@/abcfw<>()+x", max_size=40)))
def test_property_idempotent(text):
    once, _ = MASKER.mask(text)
    assert MASKER.mask(once) == (once, {})


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda t: not re.search(r"\d|@|://", t)))
def test_property_text_without_digits_at_or_scheme_unchanged(text):
    assert MASKER.mask(text) == (text, {})
