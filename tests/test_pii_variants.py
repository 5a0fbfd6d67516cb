"""PII in the spellings real people use (issue 13): each form is masked and its digits / name gone."""
from __future__ import annotations

import pytest

from feedmine.text.pii import PiiMasker

MASKER = PiiMasker().fit()

VARIANTS = [
    # phones: spaces around dashes, underscores, dots, Korean digit words, mixed
    ("PHONE", "010 - 1234 - 5678"), ("PHONE", "010_1234_5678"), ("PHONE", "010.1234.5678"),
    ("PHONE", "010 1234 5678"), ("PHONE", "공일공 일이삼사 오륙칠팔"), ("PHONE", "공일공-일이삼사-오육칠팔"),
    ("PHONE", "영일영 구팔칠육 오사삼이"), ("PHONE", "+82 10 - 1234 - 5678"), ("PHONE", "02 – 123 – 4567"),
    # resident registration numbers: spaced dash, starred back half
    ("RRN", "900101 - 1234567"), ("RRN", "900101-1******"), ("RRN", "900101-*******"), ("RRN", "9001011******"),
    ("RRN", "900101 – 2345678"),
    # cards: failing Luhn in a card's layout, dots, spaced dashes
    ("CARD", "1234 5678 9012 3456"), ("CARD", "1234.5678.9012.3456"), ("CARD", "4111 - 1111 - 1111 - 1111"),
    ("CARD", "4111.1111.1111.1111"),
    # e-mails: Korean local part or domain, spaced @, obfuscated
    ("EMAIL", "홍길동@회사.kr"), ("EMAIL", "hong@네이버.com"), ("EMAIL", "hong @ example.com"),
    ("EMAIL", "hong at example dot com"), ("EMAIL", "hong(at)example(dot)com"),
    ("EMAIL", "hong [at] example [dot] co [dot] kr"), ("EMAIL", "hong 골뱅이 naver 점 com"),
    ("EMAIL", "hong (at) example.com"),
    # passports
    ("PASSPORT", "여권번호 M12345678"), ("PASSPORT", "passport no. 123456789"), ("PASSPORT", "여권 M123A4567"),
    ("PASSPORT", "Passport: AB1234567"),
    # addresses
    ("ADDRESS", "서울시 강남구 테헤란로 123"), ("ADDRESS", "서울특별시 강남구 역삼동 123-45"),
    ("ADDRESS", "101동 1203호"), ("ADDRESS", "부산광역시 해운대구 센텀중앙로 79"), ("ADDRESS", "테헤란로 12길 34"),
    ("ADDRESS", "221B Baker Street"), ("ADDRESS", "1600 Pennsylvania Avenue, Suite 200"),
    # names beside an honorific or a role
    ("NAME", "김민수 고객님"), ("NAME", "이지은님"), ("NAME", "상담원 박서준"), ("NAME", "최유리 씨"),
    ("NAME", "조민호 상담원"), ("NAME", "담당자 정다은"), ("NAME", "Mr. Smith"), ("NAME", "my name is John Smith"),
    ("NAME", "agent Kevin"), ("NAME", "서재원님"), ("NAME", "김지은 씨"),
]

SECRET = {  # what must not survive of each form (the personal part)
    "NAME": lambda v: [w for w in v.replace(".", " ").split() if w[0] in "김이박최조정" and len(w) >= 3
                       or (w[0].isupper() and w not in ("Mr", "Ms"))],
}


def _secret_parts(kind, value):
    if kind in SECRET:
        return [w.rstrip("님") for w in SECRET[kind](value)]
    return [value]


@pytest.mark.parametrize("kind, value", VARIANTS, ids=[f"{k}:{v}" for k, v in VARIANTS])
@pytest.mark.parametrize("frame", ["제 정보는 {} 입니다", "{}로 연락 부탁드려요", "please use {}, thanks"])
def test_variant_forms_are_masked(kind, value, frame):
    text = frame.format(value)
    out, counts = MASKER.mask(text)
    assert counts.get(kind, 0) >= 1, (text, out, counts)
    for part in _secret_parts(kind, value):
        assert part not in out, (text, out)


@pytest.mark.parametrize("text", [
    "상담원 연결이 안 돼요", "구독자님 감사합니다", "선생님 최고", "주인공님 멋져요", "운동 30분 했어요",
    "친구 집으로 3시에 갔어요", "3동 5번 출구", "look at the screen", "배송 기사님이 친절했어요",
    "사장님 대박 나세요", "2024년 3월 15일 주문", "오늘 일이 많아서 사이사이 확인했어요",
    "the agent was rude", "Dr. appointment app crashes",
    # found on real reviews (benchmarks/pii_masking.py): 아님 (is not), swearing after 씨, 씨앗, nicknames
    "가성비 최고아님?", "재밌는가? 전혀아님", "존나 어렵네 씨@발", "걍 하지마 씨빨", "민들레 씨앗", "윤발형님 최고",
    "도연누님때문에 10점", "주치의 선생님 친절", "trip advisor Thank you", "너무 쉬움 당시 예약구매로 6500원주고 샀는데",
])
def test_ordinary_text_beside_those_forms_is_left(text):
    assert MASKER.mask(text) == (text, {})
