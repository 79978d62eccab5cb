"""The one detector of Chinese, Japanese and Korean text, by its language tag or its script.

Han characters are shared: Japanese writes Han with kana, Korean sometimes Han (hanja) among
Hangul. Kana occur only in Japanese and Hangul only in Korean, so CJK text with any kana is
Japanese, text with Hangul Korean, and Han alone Chinese. Each use asks for a share: ROUGE-L's
"auto" tokenizer takes any CJK character (rouge_score's tokenizer would drop it), while lengths
and the verb-noun parse count a text as CJK from :data:`CJK_SHARE` of its letters.
"""

from __future__ import annotations

import re

CHINESE = "zh"
JAPANESE = "ja"
KOREAN = "ko"

#: Han (with radicals, iteration marks, ideographic numbers and extensions B-H).
_HAN = (
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"  # iteration mark, ideographic numbers
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs and extension A
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-H
)
_KANA = (
    "\u3041-\u309f"  # Hiragana
    "\u30a0-\u30fa\u30fc-\u30ff"  # Katakana (without the middle dot, a punctuation mark)
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\uff66-\uff9f"  # half-width Katakana
    "\U0001b000-\U0001b16f"  # Kana supplement and extended
)
_HANGUL = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\ua960-\ua97f\uac00-\ud7ff"  # Hangul Jamo extended, syllables
    "\uffa0-\uffdc"  # half-width Hangul
)
#: Every CJK character, as the body of a regex character class (one token each for ROUGE-L).
CJK_CHARACTERS = _HAN + _KANA + _HANGUL
#: Share of a text's letters in CJK scripts from which lengths and verbs treat it as CJK.
CJK_SHARE = 0.3
#: Primary language subtags of CJK languages.
_LANGUAGE_TAGS = {
    "zh": CHINESE,
    "cmn": CHINESE,
    "yue": CHINESE,
    "wuu": CHINESE,
    "ja": JAPANESE,
    "jp": JAPANESE,
    "ko": KOREAN,
}

_CJK_CHARACTER = re.compile(f"[{CJK_CHARACTERS}]")
_OTHER_LETTER = re.compile(f"[^\\W\\d_{CJK_CHARACTERS}]")
_KANA_CHARACTER = re.compile(f"[{_KANA}]")
_HANGUL_CHARACTER = re.compile(f"[{_HANGUL}]")


def cjk_language(text: str, lang: str | None = None, min_share: float = CJK_SHARE) -> str | None:
    """The language of Chinese, Japanese or Korean text ("zh", "ja", "ko"), None for any other.

    A language tag, when given, decides by its primary subtag. Otherwise the text is CJK when
    CJK characters make at least `min_share` of its letters (at 0, one is enough), and it is
    Japanese with any kana, else Korean with any Hangul, else Chinese.
    """
    if isinstance(lang, str) and lang.strip():
        return _LANGUAGE_TAGS.get(lang.strip().lower().replace("_", "-").split("-")[0])
    cjk = len(_CJK_CHARACTER.findall(text))
    if not cjk:
        return None
    if min_share > 0 and cjk < min_share * (cjk + len(_OTHER_LETTER.findall(text))):
        return None
    if _KANA_CHARACTER.search(text):
        return JAPANESE
    if _HANGUL_CHARACTER.search(text):
        return KOREAN
    return CHINESE
