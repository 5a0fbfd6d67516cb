"""The default customer-journey stages: Korean names, example phrasings (Korean and English) for the
similarity step and cue phrases for the cue step of :class:`feedmine.tagging.journey.JourneyStageMapper`.

Data only, kept apart so the mapper's module stays readable; replace any of it with
``JourneyStageMapper(stages={...})``.
"""
from __future__ import annotations

from typing import Any

#: The default journey. Descriptions are example feedback phrasings (Korean and English) rather than
#: definitions, because feedback is matched against them and reads like feedback, not like a glossary.
#: Tuned against multilingual-e5-small (tests/test_journey.py): "heard about it from a friend" was
#: dropped from awareness because it pulled "I recommended it to my friends" away from referral.
#: ``cues`` are matched in the text before any similarity (see the module notes): Korean cues as
#: substrings (spaces optional), English cues at a word start with their inflections. A bare "plan" is
#: not a cue: on app reviews it was travel plans, a planner, planning a wedding, so only pricing phrases
#: with "plan" are.
DEFAULT_STAGES: dict[str, dict[str, Any]] = {
    "awareness": {
        "name_ko": "인식",
        "description": "광고 보고 알게 됐어요, 추천받아서 알게 됨, 유튜브에서 봤어요, 검색하다 찾았어요, "
                       "saw an ad, heard about it, found it on YouTube, came across it in the app store",
        "cues": ["광고 보고", "알게 됐", "알게 되", "추천받아", "유튜브에서 보고", "유튜브 보고",
                 "saw an ad", "heard about", "found it on", "found this app", "came across"]},
    "consideration": {
        "name_ko": "고려",
        "description": "가격 비교 중이에요, 요금제가 궁금해요, 무료 체험이 있나요, 다른 앱이랑 비교, 돈 낼 가치가 있나요, "
                       "pricing, compare plans, free trial, is it worth it, how does it compare",
        "cues": ["가격", "요금제", "비싸", "무료 체험", "구독료", "비교", "가성비", "유료",
                 "price", "pricing", "pricey", "expensive", "free trial", "worth the money", "worth every penny",
                 "compare", "cost", "premium plan", "paid plan", "free plan", "pricing plan", "subscription plan",
                 "monthly plan", "yearly plan", "annual plan"]},
    "purchase/activation": {
        "name_ko": "구매/활성화",
        "description": "결제가 안 돼요, 회원가입이 안 돼요, 인증번호가 안 와요, 설치가 안 돼요, 첫 설정이 어려워요, "
                       "checkout failed, can't sign up, install failed, onboarding is confusing, "
                       "verification code never arrives",
        "cues": ["결제", "가입", "회원가입", "설치", "인증", "본인인증", "첫 설정", "로그인이 안",
                 "checkout", "payment", "sign up", "signup", "install", "onboarding", "verification",
                 "activate", "register"]},
    "use": {
        "name_ko": "사용",
        "description": "앱이 자꾸 튕겨요, 기능이 안 돼요, 로그인이 안 됨, 로그인 오류, 너무 느려요, 화면이 멈춰요, "
                       "the app crashes, a feature does not work, can't log in, slow, the screen freezes",
        "cues": ["튕", "오류", "에러", "느려", "기능", "업데이트", "버그", "안 돼", "안 되", "멈춰", "먹통",
                 "crash", "bug", "buggy", "slow", "feature", "update", "freeze", "froze", "doesn't work",
                 "does not work", "not working", "stopped working", "error", "glitch", "lag"]},
    "repurchase/referral": {
        "name_ko": "재구매/추천",
        "description": "재구매했어요, 구독 갱신, 친구들에게 추천할게요, 지인한테 소개했어요, 해지하고 싶어요, "
                       "다른 앱으로 갈아탈래요, renew, I recommend it to friends and family, cancel subscription, "
                       "switching to another app, will buy again",
        "cues": ["재구매", "갱신", "추천할", "추천해요", "추천합니다", "강추", "친구한테", "친구들한테", "해지", "탈퇴",
                 "환불", "갈아타", "갈아탈", "갈아탔", "renew", "renewal", "recommend", "tell my friends",
                 "told my friends", "cancel", "unsubscribe", "uninstall", "refund", "switch to", "buy again"]},
}
