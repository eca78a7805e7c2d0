"""The parser on the real-world cases the issue names: encoded and raw 8-bit headers, every
charset Python knows and the usual mislabels, text and HTML bodies, inline images, RFC 2231
names, uuencode, nested messages, signed and encrypted mail, and size limits. Pure: no database."""

from __future__ import annotations

import base64
import codecs

import pytest

from supportdesk.channels.email.parsing import MailParseError, parse_message

CRLF = b"\r\n"


def mail(*headers: bytes | str, body: bytes | str = b"Hello", content_type: str = "") -> bytes:
    lines = [h.encode() if isinstance(h, str) else h for h in headers]
    if not any(line.lower().startswith(b"from:") for line in lines):
        lines.insert(0, b"From: Ann <ann@example.com>")
    if content_type:
        lines.append(f"Content-Type: {content_type}".encode())
    payload = body.encode() if isinstance(body, str) else body
    return CRLF.join(lines) + CRLF + CRLF + payload


# -- headers ----------------------------------------------------------------------------------


def test_rfc2047_words_in_several_charsets_and_a_display_name():
    name = base64.b64encode("Nguyễn Văn An".encode()).decode()
    gb = base64.b64encode("订单".encode("gb18030")).decode()
    raw = mail(
        f"From: =?utf-8?b?{name}?= <an@example.vn>",
        f"Subject: =?iso-8859-2?q?Zam=F3wienie_nr_12?= =?gb18030?b?{gb}?=",
    )
    parsed = parse_message(raw)
    assert parsed.sender.name == "Nguyễn Văn An" and parsed.sender.email == "an@example.vn"
    assert parsed.subject == "Zamówienie nr 12订单"


@pytest.mark.parametrize(
    ("raw_subject", "body_charset", "expected"),
    [
        ("Zażółć gęślą jaźń".encode(), "", "Zażółć gęślą jaźń"),  # raw UTF-8, no encoded-word
        ("Café crème".encode("cp1252"), "", "Café crème"),  # raw 8-bit Latin-1/Windows
        # Raw GB bytes in the header: the body's declared charset is the hint mail clients give.
        ("我的订单".encode("gb18030"), "gb2312", "我的订单"),
        ("請幫我查訂單".encode("big5"), "big5", "請幫我查訂單"),
    ],
)
def test_raw_8bit_headers_are_read(raw_subject, body_charset, expected):
    content_type = f"text/plain; charset={body_charset}" if body_charset else ""
    parsed = parse_message(mail(b"Subject: " + raw_subject, body="x", content_type=content_type))
    assert parsed.subject == expected


def test_an_encoded_word_with_a_mislabeled_charset_is_still_read():
    # Labelled gb2312 but using a character only GBK/GB18030 has (镕).
    word = base64.b64encode("朱镕基".encode("gb18030")).decode()
    parsed = parse_message(mail(f"Subject: =?gb2312?b?{word}?="))
    assert parsed.subject == "朱镕基"


# -- charsets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "encode_as", "text"),
    [
        ("gb2312", "gb18030", "朱镕基的邮件"),  # gb2312 label, GB18030-only character
        ("iso-gb2312", "gb2312", "你好，世界"),
        ("iso-8859-1", "cp1252", "“Smart quotes” – and € signs"),  # Windows bytes labelled Latin-1
        ("utf-7", "utf-7", "Übermittlung fehlgeschlagen"),
        ("windows-1258", "cp1258", "Xin chào các anh"),
        ("iso-8859-2", "iso8859-2", "Zażółć gęślą jaźń"),
        ("big5", "big5", "您好，請幫我查一下訂單"),
        ("koi8-r", "koi8-r", "Здравствуйте"),
        ("shift_jis", "shift_jis", "こんにちは"),
        ("euc-kr", "euc-kr", "안녕하세요"),
    ],
)
def test_body_charsets_and_their_usual_mislabels(label, encode_as, text):
    raw = mail(
        "Subject: charset",
        "Content-Transfer-Encoding: 8bit",
        content_type=f"text/plain; charset={label}",
        body=text.encode(encode_as),
    )
    assert parse_message(raw).text.strip() == text


def test_every_charset_python_knows_decodes_without_error():
    sample = "Hello, world 123"
    names = sorted(
        {codecs.lookup(name).name for name in ("ascii", "latin-1", "utf-16", "cp437", "mac-roman")}
    )
    for name in names:
        raw = mail(
            "Subject: x",
            "Content-Transfer-Encoding: base64",
            content_type=f"text/plain; charset={name}",
            body=base64.b64encode(sample.encode(name)).decode(),
        )
        assert sample in parse_message(raw).text, name


def test_an_unknown_charset_label_falls_back_to_a_readable_guess():
    raw = mail(
        "Subject: x",
        "Content-Transfer-Encoding: 8bit",
        content_type="text/plain; charset=x-no-such-charset",
        body="Grüße aus Köln".encode(),
    )
    parsed = parse_message(raw)
    assert parsed.text.strip() == "Grüße aus Köln"
    assert parsed.problems  # the repair is noted


# -- bodies -----------------------------------------------------------------------------------


def test_html_is_sanitized_and_converted_to_readable_text():
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        '<p onclick="steal()">Hello <b>there</b></p><ul><li>one</li><li>two</li></ul>'
        '<a href="javascript:alert(1)">bad link</a><img src="https://tracker.example/p.gif">'
        "</body></html>"
    )
    parsed = parse_message(mail("Subject: html", content_type="text/html; charset=utf-8", body=html))
    assert "<script" not in parsed.html and "onclick" not in parsed.html
    assert "javascript:" not in parsed.html and "color:red" not in parsed.html
    assert "Hello" in parsed.text and "there" in parsed.text and "one" in parsed.text
    assert "alert" not in parsed.text


def _multipart(boundary: str, *parts: bytes, subtype: str = "mixed", extra: str = "") -> bytes:
    body = b""
    for part in parts:
        body += f"--{boundary}".encode() + CRLF + part + CRLF
    body += f"--{boundary}--".encode() + CRLF
    return mail(
        "Subject: parts", content_type=f'multipart/{subtype}; boundary="{boundary}"{extra}', body=body
    )


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_inline_images_are_kept_and_marked_inline():
    html = b'Content-Type: text/html; charset=utf-8\r\n\r\n<p>Look: <img src="cid:logo@x"></p>'
    image = (
        b"Content-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(PNG)
    )
    parsed = parse_message(_multipart("rel", html, image, subtype="related"))
    [picture] = parsed.attachments
    assert picture.inline and picture.content_id == "logo@x" and picture.data == PNG
    assert "cid:logo@x" in parsed.html


def test_rfc2231_file_names_with_charset_and_continuations():
    part = (
        b"Content-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''H%C3%B3a%20%C4%91%C6%A1n%20;\r\n"
        b" filename*1*=th%C3%A1ng%2011.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(b"%PDF-1.4 test")
    )
    text = b"Content-Type: text/plain\r\n\r\nSee attached."
    parsed = parse_message(_multipart("b1", text, part))
    [attachment] = parsed.attachments
    assert attachment.filename == "Hóa đơn tháng 11.pdf"
    assert attachment.data == b"%PDF-1.4 test"


def test_rfc2047_encoded_file_names_are_read_too():
    part = (
        b'Content-Type: text/plain; name="=?utf-8?b?5oql5Lu3LnR4dA==?="\r\n'
        b'Content-Disposition: attachment; filename="=?utf-8?b?5oql5Lu3LnR4dA==?="\r\n\r\n'
        b"price list"
    )
    parsed = parse_message(_multipart("b2", b"Content-Type: text/plain\r\n\r\nHi", part))
    assert [a.filename for a in parsed.attachments] == ["报价.txt"]


def test_uuencoded_attachments_in_the_text_are_extracted():
    data = b"uuencoded file content\n" * 3
    import binascii

    lines = [binascii.b2a_uu(data[i : i + 45]).rstrip(b"\n") for i in range(0, len(data), 45)]
    body = b"Please see the file.\r\n\r\nbegin 644 notes.txt\r\n" + CRLF.join(lines) + b"\r\n`\r\nend\r\n"
    parsed = parse_message(mail("Subject: uu", content_type="text/plain", body=body))
    [attachment] = parsed.attachments
    assert attachment.filename == "notes.txt" and attachment.data == data
    assert "Please see the file." in parsed.text and "begin 644" not in parsed.text


def test_a_nested_message_is_kept_as_an_attachment_with_its_subject():
    inner = b"From: Bob <bob@example.com>\r\nSubject: Original problem\r\n\r\nThe original text."
    part = b"Content-Type: message/rfc822\r\n\r\n" + inner
    parsed = parse_message(_multipart("n1", b"Content-Type: text/plain\r\n\r\nForwarding this.", part))
    assert "Forwarding this." in parsed.text
    assert any(a.content_type == "message/rfc822" and inner in a.data for a in parsed.attachments)


def test_a_signed_message_keeps_its_content_and_the_signature():
    text = b"Content-Type: text/plain; charset=utf-8\r\n\r\nSigned hello."
    signature = (
        b"Content-Type: application/pgp-signature; name=signature.asc\r\n\r\n"
        b"-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----"
    )
    raw = _multipart("s1", text, signature, subtype="signed", extra='; protocol="application/pgp-signature"')
    parsed = parse_message(raw)
    assert parsed.signed and "Signed hello." in parsed.text
    assert any(a.filename.endswith(".asc") for a in parsed.attachments)


def test_an_encrypted_message_is_kept_and_says_so():
    control = b"Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1"
    payload = (
        b"Content-Type: application/octet-stream; name=encrypted.asc\r\n\r\n"
        b"-----BEGIN PGP MESSAGE-----\r\nxyz\r\n-----END PGP MESSAGE-----"
    )
    raw = _multipart(
        "e1", control, payload, subtype="encrypted", extra='; protocol="application/pgp-encrypted"'
    )
    parsed = parse_message(raw)
    assert parsed.encrypted and parsed.text.strip()
    assert any(b"BEGIN PGP MESSAGE" in a.data for a in parsed.attachments)


# -- refusals ---------------------------------------------------------------------------------


def test_a_message_over_the_limit_is_refused_with_a_reason_not_parsed():
    raw = mail("Subject: big", body="x" * 5000)
    with pytest.raises(MailParseError) as refused:
        parse_message(raw, max_bytes=1000)
    assert refused.value.code == "too_large" and refused.value.params["limit"] == 1000


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "empty"),
        (b"   \r\n  ", "empty"),
        (b"just some words without any header", "not_email"),
        (b"To: support@desk.test\r\nSubject: nobody\r\n\r\nHi", "no_sender"),
    ],
)
def test_what_cannot_become_a_ticket_is_refused_with_a_code(raw, code):
    with pytest.raises(MailParseError) as refused:
        parse_message(raw)
    assert refused.value.code == code and str(refused.value)


def test_hostile_structure_does_not_crash_or_hang():
    deep = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode() for i in range(2000)
    )
    parsed = parse_message(mail("Subject: deep", body=deep + b"Content-Type: text/plain\r\n\r\nbottom"))
    assert parsed.sender is not None
    broken = mail(
        "Subject: =?utf-8?q?unterminated", "Content-Transfer-Encoding: base64", body="!!!not base64"
    )
    assert parse_message(broken).subject
