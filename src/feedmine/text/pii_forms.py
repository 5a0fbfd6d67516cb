"""The personal-data forms that need more than a digit pattern: obfuscated e-mails, phone numbers read
out in Korean digit words, passport numbers, street addresses and personal names beside an honorific.

:mod:`feedmine.text.pii` holds the masker; this module holds the patterns and checks it runs for these
kinds, kept apart because each needs context (a keyword, a suffix, a morpheme check) rather than shape.

What is masked, and why each rule looks the way it does:

* **E-mail, obfuscated**: ``name at domain dot com``, ``name(at)domain(dot)com``, ``name [at] domain
  [dot] com``, ``name 골뱅이 domain 점 com``. The domain must end in a common top-level domain so
  that "look at this dot" stays.
* **Phone in Korean digit words** (공일공 일이삼사 오륙칠팔): each digit word is one syllable, so a copy
  of the text with those syllables read as digits has the same positions; the phone patterns run on it
  and a span counts only when it holds three or more digit words.
* **Passport**: a number after "여권" / "passport" (M12345678, M123A4567, 9 digits), or the Korean
  2021 format (letter, 3 digits, letter, 4 digits) anywhere.
* **Address**: Korean road and lot addresses after a city / district word (서울시 강남구 테헤란로 123,
  역삼동 123-45), apartment units (101동 1203호), and English street lines (221B Baker Street).
* **Name**: a three-syllable Korean name (a common surname, then two syllables) before 님 / 씨 / 고객님
  or a job title, or after 상담원 / 담당자 / 기사; "Mr./Ms./Dr." and "my name is" in English. A word
  with a particle (연결이, 정보가) or a role noun (구독자, 주인공) is not a name: Kiwi decides.
"""
from __future__ import annotations

import re

#: one syllable per digit, as numbers are read out (공 / 영 / 빵 for zero)
KOREAN_DIGITS = str.maketrans({"공": "0", "영": "0", "빵": "0", "일": "1", "이": "2", "삼": "3", "사": "4",
                               "오": "5", "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"})
_KOREAN_DIGIT_CHARS = re.compile("[공영빵일이삼사오육륙칠팔구]")
#: three digit words in a row: the least a phone read out in words has in every group
_COPULA = re.compile("이(?=에요|예요|고 |라고|라서|다|요|었|네|지|야|며|면|니|므로)")
DIGIT_WORDS_HINT = "[공영빵일이삼사오육륙칠팔구]{3}"


def digit_words_as_digits(text: str) -> str | None:
    """The text with Korean digit words read as digits (same length), or None when it has too few."""
    if len(_KOREAN_DIGIT_CHARS.findall(text)) < 7:
        return None
    # "오육칠팔이에요": an 이 before a copula ending is the copula, not a 2
    kept = _COPULA.sub("\x01", text).translate(KOREAN_DIGITS)
    return kept.replace("\x01", "이")


def holds_digit_words(original: str, start: int, end: int) -> bool:
    return len(_KOREAN_DIGIT_CHARS.findall(original, start, end)) >= 3


_TLD = r"(?i:com|net|org|edu|gov|info|biz|io|me|co|kr|jp|cn|uk|de|us|ai|app|dev)"
_AT = (r"(?:\s*[(\[{<]\s*(?i:at|골뱅이)\s*[)\]}>]\s*|\s+(?:at|AT)\s+|\s*골뱅이\s*)")
_DOT = r"(?:\s*[(\[{<]\s*(?i:dot|점)\s*[)\]}>]\s*|\s+(?:dot|DOT)\s+|\s+점\s+|\s?\.\s?)"
EMAIL_OBFUSCATED = (r"(?<![\w.%+-])[A-Za-z0-9._%+-]+" + _AT + r"[A-Za-z0-9-]+(?:" + _DOT + r"[A-Za-z0-9-]+)*"
                    + _DOT + _TLD + r"(?![A-Za-z0-9])")

PASSPORT = (r"(?:(?i:passport|여권)(?:\s*(?i:no\.?|number|num|#|번호))?\s*(?:[:：]|는|은|이)?\s*"
            r"(?P<n>[A-Za-z]{1,2}[0-9]{7,8}|[A-Za-z][0-9]{3}[A-Za-z][0-9]{4}|[0-9]{9})(?![0-9A-Za-z])"
            r"|(?<![0-9A-Za-z])(?P<new>[MSRGD][0-9]{3}[A-Z][0-9]{4})(?![0-9A-Za-z]))")


def passport_span(m: re.Match, text: str) -> tuple[int, int]:
    return m.span("n") if m.group("n") else m.span("new")


# a number followed by a unit is a count, not a house number ("동 3번", "길 5분")
_NOT_UNIT = r"(?!(?:분|번|시|개|회|명|년|월|일|원|%|층|km|m\b))"
_CITY = r"[가-힣]{1,8}(?:특별시|광역시|특별자치시|특별자치도|시|도)"
# a district is a 구 or 군; a 시 counts only as a city of two syllables or more ("당시", "역시" are words,
# and the street with a house number after them is still required)
_DISTRICT = r"(?:[가-힣]{1,8}(?:군|구)|[가-힣]{2,6}시(?:\s[가-힣]{1,6}(?:구|군))?)"
_STREET = r"[가-힣0-9]{1,12}(?:대로|로|길|동|리|가)"
# (?![0-9]) after each number: "6500원" must not be read as house number 650 before "0원"
_HOUSE = r"[0-9]{1,5}(?![0-9])(?:-[0-9]{1,5}(?![0-9]))?(?:번길\s?[0-9]{1,5}(?![0-9]))?(?:번지)?" + _NOT_UNIT
_UNIT_NO = r"(?:,?\s?[0-9]{1,4}동)?(?:\s?[0-9]{1,5}호)?"
_EN_STREET = r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway)"
ADDRESS = ("(?:" + "|".join([
    r"(?<![가-힣])(?:" + _CITY + r"\s)?" + _DISTRICT + r"\s(?:[가-힣]{1,8}(?:구|읍|면)\s)?" + _STREET + r"\s?"
    + _HOUSE + _UNIT_NO,
    r"(?<![가-힣0-9])[가-힣0-9]{1,12}(?:대로|로|길)\s?[0-9]{1,5}번?길\s?[0-9]{1,5}" + _UNIT_NO,  # 테헤란로 12길 34
    r"(?<![0-9])[0-9]{1,4}동\s?[0-9]{1,5}호",  # 101동 1203호
    r"(?<![0-9A-Za-z])[0-9]{1,6}[A-Za-z]?\s(?:[A-Z][a-z]+\s){1,3}" + _EN_STREET + r"(?![A-Za-z])\.?"
    + r"(?:,?\s(?:Apt|Suite|Unit|#)\.?\s?[0-9A-Za-z-]+)?",
]) + ")")

#: the commonest Korean surnames (together more than 95% of people)
SURNAMES = ("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진지엄채원천방공현함"
            "변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국어은편용예경봉")
# 씨 only before a space, punctuation or a particle: "씨발", "씨@발", "씨앗" are not honorifics
_SSI = r"씨(?=[\s.,!?~)\]'\"]|$|[는가의랑와도를께에이로한만입였])"
_HONORIFIC_AFTER = r"(?=\s?(?:고객님|회원님|님|" + _SSI + r")|\s(?:상담원|상담사|매니저|기사님|대리|과장|팀장|주임))"
_ROLE_BEFORE = r"(?:상담원|상담사|담당자|직원|매니저|기사님?|설치기사|배송기사|택배기사)\s"
# what may follow a name after a role word: nothing more of the word, or a particle / copula
_AFTER_NAME = (r"(?=(?:님|씨|이|가|은|는|을|를|께서|께|에게|한테|과|와|이랑|랑|으로|로|입니다|이에요|예요|이었|였|이고|의|도|만)?"
               r"(?![가-힣]))")
NAME = ("(?:" + "|".join([
    r"(?<![가-힣])(?P<ko>[" + SURNAMES + r"][가-힣]{2})" + _HONORIFIC_AFTER,
    _ROLE_BEFORE + r"(?P<role>[" + SURNAMES + r"][가-힣]{2})" + _AFTER_NAME,
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s(?P<en>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)",
    r"(?i:my name is|name:)\s(?P<mine>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)",
    r"\b(?:agent|representative|rep|advisor|technician)\s(?:named\s|called\s)?"
    r"(?!(?:Thank|Thanks|Please|The|This|That|And|But|So|Great|Good|Hello|Hi|Was|Is|He|She|They|It)\b)"
    r"(?P<agent>[A-Z][a-z]+)",
]) + ")")

# role nouns a Korean name does not end in: 구독자, 주인공, 유튜버, 사용자, 회사원, 간호사, 학생 ...
_ROLE_END = set("자인사생공버객")
# 원 ends many given names (재원, 지원, 혜원), so only these role nouns ending in 원 count
_ROLE_WON = {"회사원", "공무원", "연구원", "상담원", "은행원", "사무원", "역무원", "승무원", "미화원", "경비원",
             "판매원", "배달원", "안내원", "관리원", "종업원", "교직원", "조사원"}
# syllables before 아 in given names (수아, 서아, 지아, 윤아 …): 김수아님 is a name with 님, not 김수 + 아님
# ("is not"), which kiwi reads it as just like 최고아님; the slang before 아님 (최고, 전혀, 정말, 그건) ends otherwise
_NAME_BEFORE_A = set("수서지유시채리미보연은윤선현주도나예다소민혜")
_PARTICLE_TAGS = ("J", "E", "VCP", "VCN", "XS")
_WORD_TAGS = ("MAG", "VV", "VA", "XR", "NP", "MM")


def _is_common_word(word: str) -> bool:
    """Kiwi's reading of a three-syllable candidate: a two-syllable word with a particle, ending or
    suffix after it (연결+이, 정보+가, 황당+한, 정상+적) or a single common noun ending in a role syllable
    (구독자) is not a name. Kiwi often splits a name oddly on its own (김+짓+은), so only these word
    shapes count against it."""
    from .tokenize import _load_kiwi

    tokens = _load_kiwi(()).tokenize(word)
    if len(tokens) == 1:
        tag = tokens[0].tag
        return tag.startswith(_WORD_TAGS) or word in _ROLE_WON or (tag.startswith("NNG") and word[-1] in _ROLE_END)
    first, rest = tokens[0], tokens[1:]
    return (len(first.form) == 2 and first.tag.startswith(("NNG", "NP", "MAG", "XR", "NNB"))
            and all(t.tag.startswith(_PARTICLE_TAGS) for t in rest))


def name_span(m: re.Match, text: str) -> tuple[int, int] | None:
    ko = m.group("ko")
    if ko and text.startswith("님", m.end("ko")) and (ko[-1] in "형누" or (ko[-1] == "아" and ko[-2:-1] not in _NAME_BEFORE_A)):
        return None  # 윤발형님, 도연누님: a nickname with 형님 / 누님; 최고아님, 전혀아님: "아님" (is not)
    for group in ("ko", "role"):
        if m.group(group):
            return None if _is_common_word(m.group(group)) else m.span(group)
    for group in ("en", "mine", "agent"):
        if m.group(group):
            return m.span(group)
    return None


# cheap tests that say a kind's pattern can match at all; most feedback fails every one of them
HINTS = {
    "EMAIL": re.compile(r"@|\bat\b|\bAT\b|골뱅이"),
    "PHONE": re.compile(r"\d|" + DIGIT_WORDS_HINT),
    "PASSPORT": re.compile(r"\d"),
    "ADDRESS": re.compile(r"\d"),
    "NAME": re.compile(r"님|씨|상담|담당|직원|매니저|기사|\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b|name|agent|rep|advisor"
                       r"|technician", re.IGNORECASE),
}
