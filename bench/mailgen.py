"""Deterministic generated support mail for the ingest benchmark: new requests and replies that
thread by In-Reply-To, in five languages, some with HTML alternatives and attachments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

SUBJECTS = {
    "en": [
        "Cannot sign in",
        "Invoice is wrong",
        "Parcel has not arrived",
        "App crashes on start",
        "Refund request",
    ],
    "vi": [
        "Không đăng nhập được",
        "Hóa đơn bị sai",
        "Chưa nhận được hàng",
        "Ứng dụng bị lỗi khi mở",
        "Yêu cầu hoàn tiền",
    ],
    "pl": [
        "Nie mogę się zalogować",
        "Błędna faktura",
        "Paczka nie dotarła",
        "Aplikacja się zawiesza",
        "Prośba o zwrot",
    ],
    "zh-hans": ["无法登录", "发票有误", "包裹还没到", "应用启动时崩溃", "申请退款"],
    "zh-hant": ["無法登入", "發票有誤", "包裹還沒到", "應用程式啟動時當機", "申請退款"],
}
BODIES = {
    "en": "Hello,\n\nsince yesterday I cannot use my account; the page shows an error after I enter the code. "
    "My order number is {n}. Could you please look into it?\n\nThanks,\n{name}",
    "vi": "Xin chào,\n\ntừ hôm qua tôi không thể sử dụng tài khoản; trang báo lỗi sau khi tôi nhập mã. "
    "Mã đơn hàng của tôi là {n}. Nhờ bạn kiểm tra giúp.\n\nCảm ơn,\n{name}",
    "pl": "Dzień dobry,\n\nod wczoraj nie mogę korzystać z konta; po wpisaniu kodu strona pokazuje błąd. "
    "Numer mojego zamówienia to {n}. Czy mogą Państwo to sprawdzić?\n\nPozdrawiam,\n{name}",
    "zh-hans": "你好，\n\n从昨天开始我无法使用我的账户，输入验证码后页面显示错误。我的订单号是 {n}。请帮忙查看一下。\n\n谢谢，\n{name}",
    "zh-hant": "你好，\n\n從昨天開始我無法使用我的帳戶，輸入驗證碼後頁面顯示錯誤。我的訂單號碼是 {n}。請幫忙查看一下。\n\n謝謝，\n{name}",
}
REPLIES = {
    "en": "Thank you, that helped, but the error came back this morning.",
    "vi": "Cảm ơn bạn, cách đó có tác dụng nhưng sáng nay lỗi lại xuất hiện.",
    "pl": "Dziękuję, to pomogło, ale dziś rano błąd wrócił.",
    "zh-hans": "谢谢，这个办法有用，但是今天早上错误又出现了。",
    "zh-hant": "謝謝，這個方法有用，但是今天早上錯誤又出現了。",
}
NAMES = [
    "Anna Nowak",
    "Nguyễn Văn An",
    "Emma Walsh",
    "王小明",
    "陳美玲",
    "Piotr Zieliński",
    "Trần Thị Bình",
    "Oliver Smith",
]


def _message(
    rng: random.Random, n: int, when: datetime, to: str, lang: str, name: str, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = to
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(idstring=f"bench{n}", domain="customers.example")
    message.set_content(BODIES[lang].format(n=100000 + n, name=name))
    if rng.random() < 0.25:
        message.add_alternative(
            "<p>" + BODIES[lang].format(n=100000 + n, name=name).replace("\n", "<br>") + "</p>",
            subtype="html",
        )
    if rng.random() < 0.05:
        message.add_attachment(
            (f"log line {n}\n" * 200).encode(), maintype="text", subtype="plain", filename=f"log-{n}.txt"
        )
    return message


def generate(count: int, *, reply_fraction: float, to: str, seed: int = 11) -> list[bytes]:
    """`count` raw messages; about `reply_fraction` of them reply to an earlier generated message."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    originals: list[tuple[EmailMessage, str, str, str]] = []
    out: list[bytes] = []
    for n in range(count):
        when = start + timedelta(minutes=n)
        if originals and rng.random() < reply_fraction:
            first, lang, name, sender = rng.choice(originals)
            reply = EmailMessage()
            reply["From"] = f"{name} <{sender}>"
            reply["To"] = to
            reply["Subject"] = "Re: " + str(first["Subject"])
            reply["Date"] = format_datetime(when)
            reply["Message-ID"] = make_msgid(idstring=f"bench{n}", domain="customers.example")
            reply["In-Reply-To"] = first["Message-ID"]
            reply["References"] = first["Message-ID"]
            quoted = "\n".join("> " + line for line in first.get_body(("plain",)).get_content().splitlines())
            reply.set_content(f"{REPLIES[lang]}\n\nOn {format_datetime(when)}, {name} wrote:\n{quoted}\n")
            out.append(bytes(reply))
            continue
        lang = rng.choice(list(SUBJECTS))
        name = rng.choice(NAMES)
        sender = f"customer{rng.randrange(5000)}@customers.example"
        message = _message(rng, n, when, to, lang, name, sender)
        message["Subject"] = f"{rng.choice(SUBJECTS[lang])} ({100000 + n})"
        originals.append((message, lang, name, sender))
        out.append(bytes(message))
    return out


def replies_to(originals: list[bytes], count: int, *, to: str, seed: int = 11) -> list[bytes]:
    """`count` replies, each from the sender of one of `originals` (raw messages generated
    before) and threaded to it by In-Reply-To and References, quoting it."""
    from email import message_from_bytes, policy

    rng = random.Random(seed)
    parsed = [message_from_bytes(raw, policy=policy.default) for raw in originals]
    start = datetime(2026, 2, 1, tzinfo=UTC)
    out: list[bytes] = []
    for n in range(count):
        first = parsed[n % len(parsed)] if n < len(parsed) else rng.choice(parsed)
        when = start + timedelta(minutes=n)
        subject = str(first["Subject"])
        lang = next(
            (code for code, subjects in SUBJECTS.items() if subject.rsplit(" (", 1)[0] in subjects), "en"
        )
        reply = EmailMessage()
        reply["From"] = str(first["From"])
        reply["To"] = to
        reply["Subject"] = "Re: " + subject
        reply["Date"] = format_datetime(when)
        reply["Message-ID"] = make_msgid(idstring=f"benchreply{n}", domain="customers.example")
        reply["In-Reply-To"] = first["Message-ID"]
        reply["References"] = first["Message-ID"]
        quoted = "\n".join("> " + line for line in first.get_body(("plain",)).get_content().splitlines())
        reply.set_content(
            f"{REPLIES[lang]}\n\nOn {format_datetime(when)}, {first['From']} wrote:\n{quoted}\n"
        )
        out.append(bytes(reply))
    return out
