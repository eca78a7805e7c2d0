"""Reply extraction: what an agent sees of a customer's reply (the new part) and what is folded
away (quoted history, signature), for the seven languages the desk recognises and the mail
clients their customers use."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.channels.email.replies import extract_reply, html_to_text

NEW = "Thanks, the printer works again."
QUOTED = "> Have you tried turning it off and on again?\n> Support"
ORIGINAL = "Have you tried turning it off and on again?\nSupport"

# Quote headers as the clients write them, per language (wrapped ones contain a newline).
QUOTE_HEADERS = {
    "en-gmail": "On Mon, Jan 1, 2024 at 10:00 AM Ann Lee <ann@example.com> wrote:",
    "en-gmail-wrapped": "On Mon, Jan 1, 2024 at 10:00 AM Ann Lee <\nann@example.com> wrote:",
    "en-gmail-wrapped-verb": "On Mon, Jan 1, 2024 at 10:00 AM Ann Lee <ann@example.com>\nwrote:",
    "en-apple": "On Jan 1, 2024, at 10:00, Ann Lee <ann@example.com> wrote:",
    "en-thunderbird": "On 01/01/2024 10:00, Ann Lee wrote:",
    "en-yahoo": "On Monday, January 1, 2024, 10:00:00 AM GMT+7, Ann Lee <ann@example.com> wrote:",
    "en-outlook-mobile": 'On Mon, Jan 1, 2024 at 10:00 AM -0800, "Ann Lee" <ann@example.com> wrote:',
    "en-name": "Ann Lee <ann@example.com> wrote:",
    "en-zoho": "---- On Mon, 01 Jan 2024 10:00:00 +0700 Ann Lee <ann@example.com> wrote ----",
    "vi-gmail": "Vào Th 2, 1 thg 1, 2024 vào lúc 10:00 Nguyễn Văn An <an@example.vn> đã viết:",
    "vi-gmail-wrapped": "Vào Th 2, 1 thg 1, 2024 vào lúc 10:00 Nguyễn Văn An <\nan@example.vn> đã viết:",
    "vi-apple": "Vào 10:00, ngày 1 thg 1, 2024, Nguyễn Văn An <an@example.vn> đã viết:",
    "vi-thunderbird": "Vào 01/01/2024 10:00, Nguyễn Văn An đã viết:",
    "vi-yahoo": "Vào Thứ Hai, 1 tháng 1, 2024 10:00:00 SA GMT+7, Nguyễn Văn An <an@example.vn> đã viết:",
    "vi-zalo": "Lúc 10:00 ngày 01/01/2024, Nguyễn Văn An <an@example.vn> đã viết:",
    "vi-no-diacritics": "Vao 10:00 ngay 01/01/2024, Nguyen Van An <an@example.vn> da viet:",
    "pl-gmail": "pon., 1 sty 2024 o 10:00 Jan Kowalski <jan@example.pl> napisał(a):",
    "pl-gmail-wrapped": "pon., 1 sty 2024 o 10:00 Jan Kowalski <jan@example.pl>\nnapisał(a):",
    "pl-thunderbird": "W dniu 1.01.2024 o 10:00, Jan Kowalski pisze:",
    "pl-apple": "Wiadomość napisana przez Jan Kowalski <jan@example.pl> w dniu 01.01.2024, o godz. 10:00:",
    "pl-onet": "Dnia 1 stycznia 2024 10:00 Jan Kowalski <jan@onet.pl> napisał(a):",
    "pl-wp": 'Dnia 1 stycznia 2024 10:00 "Jan Kowalski" <jan@wp.pl> napisał(a):',
    "pl-interia": "Dnia 1 stycznia 2024 o godz. 10:00 Jan Kowalski <jan@interia.pl> napisał:",
    "pl-yahoo": "W poniedziałek, 1 stycznia 2024 10:00:00 CET, Jan Kowalski <jan@example.pl> napisał(a):",
    "pl-android": '1 sty 2024 10:00 "Jan Kowalski" <jan@example.pl> napisał(a):',
    "zh-gmail": "Ann Lee <ann@example.com> 于2024年1月1日周一 10:00写道：",
    "zh-gmail-wrapped": "Ann Lee <ann@example.com> 于2024年1月1日周一\n上午10:00写道：",
    "zh-apple": "在 2024年1月1日，上午10:00，Ann Lee <ann@example.com> 写道：",
    "zh-apple-date-first": "2024年1月1日 上午10:00，Ann Lee <ann@example.com> 写道：",
    "zh-netease": '在 2024-01-01 10:00:00，"王小明" <wang@163.com> 写道：',
    "zh-thunderbird": "在 2024/1/1 10:00, 王小明 写道:",
    "zh-hant-gmail": "Ann Lee <ann@example.com> 於 2024年1月1日 週一 上午10:00 寫道：",
    "zh-hant-apple": "於 2024年1月1日 上午10:00，Ann Lee <ann@example.com> 寫道：",
    "de-gmail": "Am Mo., 1. Jan. 2024 um 10:00 Uhr schrieb Max Mustermann <max@example.de>:",
    "de-gmail-old": "Max Mustermann <max@example.de> schrieb am Mo., 1. Jan. 2024 um 10:00 Uhr:",
    "de-apple": "Am 01.01.2024 um 10:00 schrieb Max Mustermann <max@example.de>:",
    "de-thunderbird": "Am 01.01.2024 um 10:00 schrieb Max Mustermann:",
    "de-yahoo": "Am Montag, 1. Januar 2024, 10:00:00 MEZ hat Max Mustermann <max@example.de> "
    "Folgendes geschrieben:",
    "fr-gmail": "Le lun. 1 janv. 2024 à 10:00, Jean Dupont <jean@example.fr> a écrit :",
    "fr-gmail-nbsp": "Le lun. 1 janv. 2024 à 10:00, Jean Dupont <jean@example.fr> a\u00a0écrit\u00a0:",
    "fr-apple": "Le 1 janv. 2024 à 10:00, Jean Dupont <jean@example.fr> a écrit :",
    "fr-thunderbird": "Le 01/01/2024 à 10:00, Jean Dupont a écrit :",
    "fr-yahoo": "Le lundi 1 janvier 2024, 10:00:00 UTC+1, Jean Dupont <jean@example.fr> a écrit :",
    "es-gmail": "El lun, 1 ene 2024 a las 10:00, Juan García (<juan@example.es>) escribió:",
    "es-apple": "El 1 ene 2024, a las 10:00, Juan García <juan@example.es> escribió:",
    "es-thunderbird": "El 01/01/2024 a las 10:00, Juan García escribió:",
    "es-yahoo": "El lunes, 1 de enero de 2024, 10:00:00 CET, Juan García <juan@example.es> escribió:",
}

# Outlook-style header blocks and their translations.
HEADER_BLOCKS = {
    "en": "From: Ann Lee <ann@example.com>\nSent: Monday, January 1, 2024 10:00 AM\n"
    "To: Support <support@example.com>\nSubject: Re: Order 1234",
    "en-bold": "*From:* Ann Lee [mailto:ann@example.com]\n*Sent:* Monday, January 1, 2024 10:00 AM\n"
    "*To:* support@example.com\n*Subject:* Re: Order 1234",
    "de": "Von: Max Mustermann <max@example.de>\nGesendet: Montag, 1. Januar 2024 10:00\n"
    "An: Support <support@example.com>\nBetreff: AW: Bestellung 1234",
    "fr": "De : Jean Dupont <jean@example.fr>\nEnvoyé : lundi 1 janvier 2024 10:00\n"
    "À : Support <support@example.com>\nObjet : RE: Commande 1234",
    "es": "De: Juan García <juan@example.es>\nEnviado: lunes, 1 de enero de 2024 10:00\n"
    "Para: Soporte <support@example.com>\nAsunto: RE: Pedido 1234",
    "pl": "Od: Jan Kowalski <jan@example.pl>\nWysłano: poniedziałek, 1 stycznia 2024 10:00\n"
    "Do: Pomoc <support@example.com>\nTemat: RE: Zamówienie 1234",
    "vi": "Từ: Nguyễn Văn An <an@example.vn>\nĐã gửi: Thứ Hai, ngày 1 tháng 1 năm 2024 10:00\n"
    "Đến: Hỗ trợ <support@example.com>\nChủ đề: RE: Đơn hàng 1234",
    "zh-hans": "发件人: 王小明 <wang@example.cn>\n发送时间: 2024年1月1日 10:00\n"
    "收件人: 客服 <support@example.com>\n主题: 回复: 订单 1234",
    "zh-hans-fullwidth-colon": "发件人：王小明 <wang@example.cn>\n发送时间：2024年1月1日 10:00\n"
    "收件人：客服 <support@example.com>\n主题：回复：订单 1234",
    "zh-hant": "寄件者: 王小明 <wang@example.tw>\n寄件日期: 2024年1月1日 上午 10:00\n"
    "收件者: 客服 <support@example.com>\n主旨: 回覆: 訂單 1234",
    "zh-qq-mail": "------------------ 原始邮件 ------------------\n"
    '发件人: "王小明"<wang@qq.com>;\n发送时间: 2024年1月1日(星期一) 上午10:00\n'
    '收件人: "客服"<support@example.com>;\n主题: 订单 1234',
    "zh-foxmail": 'From: "王小明"<wang@foxmail.com>;\nDate: Mon, Jan 1, 2024 10:00 AM\n'
    'To: "support"<support@example.com>;\nSubject: Order 1234',
    "zh-netease-forward": '-------- 转发邮件信息 --------\n发件人："王小明" <wang@163.com>\n'
    "发送日期：2024-01-01 10:00:00\n收件人：support@example.com\n主题：订单 1234",
    "outlook-web-wrapped-subject": "From: Ann Lee <ann@example.com>\nSent: Monday, January 1, 2024\n"
    "To: Support\nSubject: A subject that\nspans two lines",
}

SEPARATORS = {
    "en": "-----Original Message-----",
    "en-thunderbird": "-------- Original Message --------",
    "en-bold": "*-------- Original Message --------*",
    "en-gmail-forward": "---------- Forwarded message ---------",
    "en-apple-forward": "Begin forwarded message:",
    "de": "-----Ursprüngliche Nachricht-----",
    "de-forward": "---------- Weitergeleitete Nachricht ---------",
    "fr": "-----Message d'origine-----",
    "fr-forward": "---------- Message transféré ---------",
    "es": "-----Mensaje original-----",
    "es-forward": "---------- Mensaje reenviado ---------",
    "pl": "-----Wiadomość oryginalna-----",
    "pl-forward": "---------- Wiadomość przekazana dalej ---------",
    "vi": "-----Thư gốc-----",
    "vi-forward": "---------- Tin nhắn được chuyển tiếp ---------",
    "zh-hans": "-----原始邮件-----",
    "zh-hant": "-----原始郵件-----",
    "zh-qq-english": "------------------ Original ------------------",
}

MOBILE_SIGNATURES = {
    "en": "Sent from my iPhone",
    "en-android": "Sent from my Samsung Galaxy smartphone.",
    "en-outlook": "Get Outlook for Android",
    "en-apology": "Sent from my phone, please excuse any typos.",
    "vi": "Gửi từ iPhone của tôi",
    "vi-android": "Được gửi từ điện thoại Samsung Galaxy của tôi",
    "pl": "Wysłane z iPhone'a",
    "pl-onet": "Wysłane z aplikacji Poczta Onet",
    "pl-android": "Wysłano z mojego smartfona Samsung Galaxy",
    "zh-hans": "发自我的iPhone",
    "zh-hans-space": "发自我的 iPad",
    "zh-netease": "发自网易邮箱大师",
    "zh-hant": "從我的 iPhone 傳送",
    "zh-hant-2": "寄自我的 iPhone",
    "de": "Von meinem iPhone gesendet",
    "de-2": "Gesendet von meinem iPhone",
    "de-webde": "Gesendet mit der WEB.DE Mail App",
    "fr": "Envoyé de mon iPhone",
    "fr-galaxy": "Envoyé depuis mon appareil Galaxy",
    "es": "Enviado desde mi iPhone",
    "es-outlook": "Enviado desde Outlook para Android",
}


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


@pytest.mark.parametrize("header", QUOTE_HEADERS.values(), ids=QUOTE_HEADERS.keys())
def test_quote_header_ends_the_new_part(header: str) -> None:
    new, rest = extract_reply(f"{NEW}\n\n{header}\n{QUOTED}\n")
    assert new == NEW
    assert rest.startswith(first_line(header)) and rest.endswith("> Support")


@pytest.mark.parametrize("header", QUOTE_HEADERS.values(), ids=QUOTE_HEADERS.keys())
def test_quote_header_without_quote_marks_still_ends_the_new_part(header: str) -> None:
    # Outlook and many webmails paste the earlier message below the header without ">".
    new, rest = extract_reply(f"{NEW}\n\n{header}\n\n{ORIGINAL}")
    assert new == NEW
    assert rest.endswith(ORIGINAL)


@pytest.mark.parametrize("block", HEADER_BLOCKS.values(), ids=HEADER_BLOCKS.keys())
def test_outlook_header_block_ends_the_new_part(block: str) -> None:
    new, rest = extract_reply(f"{NEW}\n\n{block}\n\n{ORIGINAL}")
    assert new == NEW
    assert rest.startswith(first_line(block)) and rest.endswith(ORIGINAL)


@pytest.mark.parametrize("separator", SEPARATORS.values(), ids=SEPARATORS.keys())
def test_original_message_separator_ends_the_new_part(separator: str) -> None:
    new, rest = extract_reply(f"{NEW}\n\n{separator}\nFrom: Support\n\n{ORIGINAL}")
    assert new == NEW
    assert rest.startswith(separator)


def test_outlook_separator_line_above_the_header_block_is_folded_too() -> None:
    new, rest = extract_reply(f"{NEW}\n________________________________\n{HEADER_BLOCKS['en']}\n\n{ORIGINAL}")
    assert new == NEW
    assert rest.startswith("____")


@pytest.mark.parametrize("signature", MOBILE_SIGNATURES.values(), ids=MOBILE_SIGNATURES.keys())
def test_mobile_signature_is_folded(signature: str) -> None:
    assert extract_reply(f"{NEW}\n\n{signature}") == (NEW, signature)
    new, rest = extract_reply(f"{NEW}\n\n{signature}\n\n{QUOTE_HEADERS['en-gmail']}\n{QUOTED}")
    assert new == NEW
    assert rest.startswith(signature)


def test_a_sentence_starting_like_a_signature_is_kept() -> None:
    text = f"{NEW}\n\nSent from my desk, it is much easier than from my phone."
    assert extract_reply(text) == (text, "")
    text = f"{NEW}\n\nFrom mobile app it crashes when I tap Save"
    assert extract_reply(text) == (text, "")


def test_signature_after_the_standard_delimiter_is_folded() -> None:
    new, rest = extract_reply(f"{NEW}\n\n-- \nAnn Lee\nACME Corp\n+1 555 0100")
    assert new == NEW
    assert rest == "--\nAnn Lee\nACME Corp\n+1 555 0100"


def test_long_text_after_a_double_dash_is_not_a_signature() -> None:
    body = "\n".join(f"Step {n}: do the thing number {n} carefully." for n in range(1, 30))
    text = f"{NEW}\n--\n{body}"
    assert extract_reply(text) == (text, "")


def test_mailing_list_footer_under_a_drawn_line_is_folded() -> None:
    footer = "_______________________________________________\nusers mailing list\nusers@lists.example.org"
    assert extract_reply(f"{NEW}\n\n{footer}") == (NEW, footer)


def test_markdown_rule_and_text_below_it_are_kept() -> None:
    text = f"{NEW}\n\n---\n\nOne more thing: the scanner is slow too."
    assert extract_reply(text) == (text, "")


def test_closing_and_name_are_kept_contact_lines_below_them_are_folded() -> None:
    new, rest = extract_reply(
        f"{NEW}\n\nBest regards,\nAnn Lee\nHead of IT, ACME\n+1 (555) 010-0100\nwww.acme.example"
    )
    assert new == f"{NEW}\n\nBest regards,\nAnn Lee"
    assert rest == "Head of IT, ACME\n+1 (555) 010-0100\nwww.acme.example"


@pytest.mark.parametrize(
    "closing",
    ["Trân trọng,", "Pozdrawiam,", "此致", "谢谢", "Mit freundlichen Grüßen", "Cordialement,", "Saludos,"],
)
def test_closings_in_every_language_keep_the_name(closing: str) -> None:
    new, rest = extract_reply(f"{NEW}\n\n{closing}\nAn Nguyen\nan@example.com\n+84 90 123 4567")
    assert new == f"{NEW}\n\n{closing}\nAn Nguyen"
    assert rest == "an@example.com\n+84 90 123 4567"


def test_a_name_and_title_without_contact_lines_are_kept() -> None:
    text = f"{NEW}\n\nThanks,\nAnn Lee\nHead of IT"
    assert extract_reply(text) == (text, "")


def test_contact_details_the_customer_gives_on_purpose_are_kept() -> None:
    text = "Please call me back on this number:\n+1 555 0100\nann@example.com"
    assert extract_reply(text) == (text, "")
    text = f"{NEW}\n\nMy new details:\n\n+1 555 0100\nann@example.com"
    assert extract_reply(text) == (text, "")


def test_trailing_quote_without_header_is_folded() -> None:
    assert extract_reply(f"{NEW}\n\n{QUOTED}") == (NEW, QUOTED)


def test_quote_answered_below_it_is_kept() -> None:
    text = f"{QUOTED}\n\nYes, I tried that twice."
    assert extract_reply(text) == (text, "")


def test_reply_written_below_the_history_shows_only_the_reply() -> None:
    header = QUOTE_HEADERS["en-gmail"]
    new, rest = extract_reply(f"{header}\n{QUOTED}\n\n{NEW}")
    assert new == NEW
    assert rest == f"{header}\n{QUOTED}"


def test_interleaved_answers_keep_the_quotes_they_answer() -> None:
    header = QUOTE_HEADERS["en-gmail"]
    text = (
        f"Answers below.\n\n{header}\n> Which model is it?\n\nThe X200.\n\n"
        "> Since when?\n\nSince Monday.\n\n> Support\n> support@example.com"
    )
    new, rest = extract_reply(text)
    assert new == ("Answers below.\n\n> Which model is it?\n\nThe X200.\n\n> Since when?\n\nSince Monday.")
    assert rest == f"{header}\n\n> Support\n> support@example.com"


def test_words_that_look_like_a_header_start_are_not_one() -> None:
    text = (
        "On your remote host you can run:\n\n    telnet 127.0.0.1 52698\n\n"
        "One outstanding question I had:\nAt the moment it fails.\n"
        "Am 3. Mai schrieb ich Ihnen zwei Mails, und zwar:\nnichts kam an."
    )
    assert extract_reply(text) == (text, "")


def test_a_text_line_above_a_header_is_not_swallowed_by_it() -> None:
    header = QUOTE_HEADERS["en-gmail"]
    new, _rest = extract_reply(f"2 things left\n{header}\n{QUOTED}")
    assert new == "2 things left"


def test_header_inside_a_code_fence_is_kept() -> None:
    text = f"See this log:\n```\n{QUOTE_HEADERS['en-gmail']}\n> not a quote\n```\nIt repeats."
    assert extract_reply(text) == (text, "")


def test_never_empty_when_everything_looks_quoted() -> None:
    text = f"{QUOTE_HEADERS['en-gmail']}\n{QUOTED}"
    assert extract_reply(text) == (text, "")
    assert extract_reply("> only a quote") == ("> only a quote", "")
    assert extract_reply("Sent from my iPhone") == ("Sent from my iPhone", "")
    assert extract_reply("-- \nAnn") == ("--\nAnn", "")


def test_empty_and_blank_input() -> None:
    assert extract_reply("") == ("", "")
    assert extract_reply(" \n\r\n\t") == ("", "")


def test_windows_line_endings_and_blank_edges_are_normalised() -> None:
    new, rest = extract_reply(f"\r\n\r\n{NEW}\r\n\r\n{QUOTE_HEADERS['en-gmail']}\r\n> old\r\n")
    assert new == NEW
    assert rest == f"{QUOTE_HEADERS['en-gmail']}\n> old"


def test_single_argument_call_still_works() -> None:
    new, quoted = extract_reply(f"{NEW}\n\nOn Mon, Jan 1, 2024 at 10:00 AM Ann wrote:\n> old")
    assert (new, quoted) == (NEW, "On Mon, Jan 1, 2024 at 10:00 AM Ann wrote:\n> old")


# --- HTML ------------------------------------------------------------------------------------

GMAIL_HTML = (
    '<div dir="ltr">Thanks, the printer works again.<div>There is one more thing:</div>'
    "<div>the scanner wrote: nothing</div></div><br>"
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">Earlier, Support said:</div>'
    '<blockquote class="gmail_quote">Have you tried turning it off and on again?</blockquote></div>'
)


def test_html_quote_marker_finds_history_the_text_does_not_show() -> None:
    text = html_to_text(GMAIL_HTML)
    assert "Earlier, Support said:" in text
    new, rest = extract_reply(text, html=GMAIL_HTML)
    assert new.endswith("the scanner wrote: nothing")
    assert rest.startswith("Earlier, Support said:")


def test_html_alone_is_converted_and_split() -> None:
    html = (
        "<p>Hello,<br>it works now.</p>"
        '<div class="moz-cite-prefix">On 01.01.2024 10:00, Support wrote:<br></div>'
        '<blockquote type="cite">Try again?</blockquote>'
    )
    assert extract_reply("", html=html) == (
        "Hello,\nit works now.",
        "On 01.01.2024 10:00, Support wrote:\n\n> Try again?",
    )


def test_html_without_marker_changes_nothing() -> None:
    text = f"{NEW}\n\nMore text."
    assert extract_reply(text, html="<p>Thanks</p>") == (text, "")


def test_broken_html_does_not_crash() -> None:
    new, rest = extract_reply("", html="<div><p>Hi <b>there</div></blockquote><<>>&#xZZ;")
    assert new.startswith("Hi there") and rest == ""


# --- Properties and speed --------------------------------------------------------------------

_LINES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "> quoted",
            ">",
            "-- ",
            "--",
            "______",
            "Sent from my iPhone",
            "Thanks,",
            "Ann",
            "+1 555 0100",
            "```",
            "From: Ann <ann@example.com>",
            "Sent: Monday",
            "To: Support",
            "Subject: Re: order",
            "-----Original Message-----",
            *list(QUOTE_HEADERS.values())[:12],
        ]
    ),
)


def _non_space(text: str) -> list[str]:
    return sorted(ch for ch in text if not ch.isspace())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=25).map("\n".join))
def test_any_text_is_split_without_loss(text: str) -> None:
    new, rest = extract_reply(text)
    assert _non_space(new + rest) == _non_space(text)
    if text.strip():
        assert new.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_text_and_html_never_crash(text: str, html: str) -> None:
    new, rest = extract_reply(text, html=html)
    if text.strip():
        assert _non_space(new + rest) == _non_space(text)


MEGABYTE = 1_000_000
LARGE_INPUTS = {
    "prose": "Hello there, this is a normal line of a long message.\n",
    "one-line": "a",
    "addresses": "x@y.z <",
    "header-like": "On 12 Jan 2024 at 10:00 someone said something <a@b.c> and more\n",
    "wrapped-header-like": "On Mon, 1 Jan 2024 10:00 Ann <\n",
    "dated-addresses": "2024-01-01 10:00 GMT+01:00 x <a@b.c> 2024-01-01 10:00 <a@b.c>:\n",
    "quotes": "> quoted line\n",
    "fields": "From: a\nTo: b\nDate: c\n",
    "drawn-lines": "-----\n",
    "signatures": "Sent from my iPhone\n",
    "contacts": "Thanks,\nAnn\n+1 555 123 4567\nann@x.com\n\n",
    "punctuation": "<<@@::>>--\n",
}


@pytest.mark.parametrize("unit", LARGE_INPUTS.values(), ids=LARGE_INPUTS.keys())
def test_one_megabyte_is_split_fast(unit: str) -> None:
    text = (unit * (MEGABYTE // len(unit) + 1))[:MEGABYTE]
    started = time.perf_counter()
    new, rest = extract_reply(f"Please help.\n{text}")
    elapsed = time.perf_counter() - started
    assert new.startswith("Please help.")
    assert len(new) + len(rest) >= MEGABYTE * 0.9
    # About 1 s on an idle 2-core machine; the bound only catches super-linear (backtracking)
    # behaviour, which takes minutes, and leaves room for a busy CI machine.
    assert elapsed < 10.0, f"{elapsed:.2f}s"


def test_one_megabyte_reply_with_history_is_split_fast() -> None:
    history = "".join(f"> line {n} of the earlier conversation\n" for n in range(30_000))
    text = f"{NEW}\n\n{QUOTE_HEADERS['en-gmail']}\n{history}"
    started = time.perf_counter()
    new, rest = extract_reply(text)
    assert time.perf_counter() - started < 1.5
    assert new == NEW
    assert rest.endswith("> line 29999 of the earlier conversation")
