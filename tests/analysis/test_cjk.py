"""The one CJK detector: Chinese, Japanese and Korean told apart, by tag or by script."""

from __future__ import annotations

import pytest

from analysis.cjk import CHINESE, JAPANESE, KOREAN, cjk_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("请写一首关于春天的诗。", CHINESE),
        ("東京へ行きます。", JAPANESE),  # Han with hiragana
        ("日本語のテキスト and English", JAPANESE),
        ("コーヒーを下さい", JAPANESE),
        ("ｺｰﾋｰ", JAPANESE),  # half-width katakana
        ("한국어로 번역하세요", KOREAN),
        ("大韓民國 헌법", KOREAN),  # hanja among Hangul
        ("Write a poem about spring.", None),
        ("", None),
        ("123 !!", None),
    ],
)
def test_cjk_language_by_script(text, language):
    assert cjk_language(text) == language


def test_cjk_language_counts_the_share_of_letters_only():
    assert cjk_language("写诗 123 !!") == CHINESE  # digits and punctuation are not letters
    assert cjk_language("ab写诗") == CHINESE  # half the letters
    assert cjk_language("ab写诗", min_share=0.6) is None
    mixed = "Translate '你好' into English."
    assert cjk_language(mixed) is None
    assert cjk_language(mixed, min_share=0) == CHINESE  # any CJK character


def test_cjk_language_tag_decides_when_given():
    assert cjk_language("kanji-free romaji", lang="ja-JP") == JAPANESE
    assert cjk_language("whatever", lang="zh_Hant") == CHINESE
    assert cjk_language("whatever", lang="yue") == CHINESE
    assert cjk_language("안녕", lang="ko") == KOREAN
    assert cjk_language("请写", lang="en") is None
    assert cjk_language("请写", lang=" ") == CHINESE  # a blank tag says nothing
