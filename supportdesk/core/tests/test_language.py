"""Language detection of customer messages: the desk's languages, Chinese script, noise, and
accuracy on Lingua's test sentences (read from ../shared/corpora at test time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportdesk.core.language import chinese_script, detect_language

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "lingua_testdata"
# Share of sentences recognised (an "I cannot tell" counts as a miss).
TARGETS = {"en": 0.95, "vi": 0.95, "pl": 0.95, "zh": 0.95, "de": 0.95, "fr": 0.95, "es": 0.95}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My order arrived broken, can you send a replacement please?", "en"),
        ("Đơn hàng của tôi bị lỗi, xin vui lòng gửi lại giúp tôi.", "vi"),
        ("Don hang cua toi bi loi, xin vui long gui lai giup toi nhe", "vi"),
        ("Zamówienie przyszło uszkodzone, proszę o wymianę.", "pl"),
        ("我的订单到了但是坏了，请帮我换一个。", "zh-hans"),
        ("我的訂單到了但是壞了，請幫我換一個。", "zh-hant"),
    ],
)
def test_the_desk_languages_are_recognised(text, expected):
    assert detect_language(text) == expected


def test_too_little_text_is_not_guessed():
    assert detect_language("ok") == ""
    assert detect_language("") == ""
    assert detect_language("12345 #A-778 !!!") == ""


def test_quoted_history_signature_and_addresses_do_not_decide():
    text = (
        "Dziękuję, paczka dotarła dzisiaj rano w dobrym stanie.\n\n"
        "> On Monday the support team wrote: we have shipped your replacement order today\n"
        "> and you will receive a tracking number by email very soon, thank you for waiting\n"
        "-- \nJan Kowalski, https://example.com/some/english/words/here jan@example.com"
    )
    assert detect_language(text) == "pl"


def test_chinese_script_is_told_by_the_characters_whose_forms_differ():
    assert chinese_script("这个问题已经解决了") == "zh-hans"
    assert chinese_script("這個問題已經解決了") == "zh-hant"


def _sentences(code: str) -> list[str]:
    path = CORPUS / "language-testdata" / "sentences" / f"{code}.txt"
    if not path.is_file():
        pytest.skip(f"Lingua test sentences not found at {path} (shared/corpora is not checked out)")
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("code", sorted(TARGETS))
def test_accuracy_on_lingua_sentences(code):
    sentences = _sentences(code)
    detected = [detect_language(sentence).split("-")[0] for sentence in sentences]
    accuracy = sum(found == code for found in detected) / len(sentences)
    print(f"\n{code}: {accuracy:.1%} of {len(sentences)} sentences")
    assert accuracy >= TARGETS[code], f"{code}: {accuracy:.1%} < {TARGETS[code]:.0%}"
