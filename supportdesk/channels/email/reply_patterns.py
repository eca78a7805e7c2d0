"""The words mail clients put around quoted history and signatures, per language (pure data).

Kept apart from `replies.py` so that adding a language or a client's phrasing is a data change.
Every pattern built here is applied to one short line, or to at most a few joined lines of
bounded length, so none of them can run away on large input.

Sources of the phrasings: what Gmail, Outlook (desktop, web and mobile), Apple Mail, Thunderbird,
Yahoo, QQ Mail/Foxmail/NetEase, Onet/WP/Interia and Zalo write in English, Vietnamese, Polish,
Chinese, German, French and Spanish, plus the most common forms in a few neighbouring languages
(Dutch, Italian, Portuguese, Nordic, Russian, Ukrainian) because customers write in those too.
"""

from __future__ import annotations

import re

# --- "On <date>, <name> wrote:" --------------------------------------------------------------

# The verb of a quote header, as written (lower case). Latin-script verbs must stand as words.
WROTE_LATIN_WORDS = (
    "wrote", "writes", "has written",
    "schrieb", "hat geschrieben", "geschrieben",
    "a écrit", "a ecrit", "écrivait", "ecrivait",
    "escribió", "escribio", "ha escrito",
    "napisał(a)", "napisał (a)", "napisal(a)", "napisała", "napisał", "napisal", "pisze",
    "pisał(a)",
    "đã viết", "da viet", "viết",
    "escreveu", "ha scritto", "scrisse", "skrev", "schreef", "het volgende geschreven",
    "geschreven", "написал(а)", "написала", "написал", "пише", "писал", "kirjoitti", "yazdı",
    "yazdi", "napsal(a)", "napsal", "írta",
)  # fmt: skip
# Chinese verbs ("wrote"); no word boundaries in Han script.
WROTE_CJK_WORDS = ("写道", "寫道", "写了", "寫了", "写到", "寫到", "來信", "来信")
WROTE_WORDS = WROTE_LATIN_WORDS + WROTE_CJK_WORDS
WROTE_LATIN = "|".join(re.escape(word) for word in sorted(WROTE_LATIN_WORDS, key=len, reverse=True))
WROTE_CJK = "|".join(WROTE_CJK_WORDS)

# Words a quote header starts with ("On", "Le", "Am", "El", "Dnia", "W dniu", "Vào", "在", ...).
HEADER_START_LATIN = (
    r"On|At|Le|Am|El|Em|Il|Op|Den|På|Dnia|W dniu|W|Vào|Vao|Lúc|Luc|Ngày|Ngay"
    r"|Wiadomość napisana przez|Wiadomosc napisana przez"
)
HEADER_START_CJK = r"在|於|于"


# A quote header is recognised from a few building blocks rather than one big expression per
# form, so that every check is a bounded search (see replies._header_strength):
#
#   "On Mon, 1 Jan 2024 at 10:00, Ann <ann@x.com> wrote:"     START + digit + VERB_AT_END
#   "Le 1 janv. 2024 à 10:00, Ann a écrit :", "El 1 ene 2024, a las 10:00, Ann escribió:",
#   "Dnia 1 stycznia 2024 10:00 Ann napisał(a):", "W dniu 1.01.2024 o 10:00, Ann pisze:",
#   "Vào 10:00, ngày 1 thg 1, 2024, Ann đã viết:", "在 2024年1月1日，上午10:00，Ann 写道：",
#   "---- On Tue, 22 Dec 2015 … wrote ----" (Zoho)
#   "Am 01.01.2024 um 10:00 schrieb Ann <ann@x.de>:"           START + digit + VERB_MIDDLE
#   "Ann <ann@x.com> wrote:", "Ann <a@x> 于2024年1月1日周一 10:00写道：",
#   "pon., 1 sty 2024 o 10:00 Ann <ann@x.pl> napisał(a):"     EMAIL + VERB_AT_END
#   "Ann <a@x> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:"     SCHRIEB_AM
#   "23 mar 2017 21:25 "Ann" <a@x> napisał(a):", "2024年1月1日 10:00，Ann <a@x> 写道："
#                                                               leading digit + VERB_AT_END
#   "26.06.2014, 14:41, "Ann" <ann@x.ru>:"                      TIME + EMAIL_AT_END
#   "2013/7/20 Ann <ann@x.com>", "2016-03-03 17:21 GMT+01:00 Ann"   GMAIL_DATE
#   "Ann wrote:" (weak: only in front of quoted lines)         short + VERB_AT_END

# Candidates are at most this long, whitespace collapsed.
MAX_HEADER_CHARS = 500

START = re.compile(
    rf"^(?:-{{2,}}\s?)?(?:(?:{HEADER_START_LATIN})\s|(?:{HEADER_START_CJK})\s?)", re.IGNORECASE
)
# What may follow the verb at the end of a header: a colon, or Zoho's dashes.
HEADER_END_CHARS = " :：-\xa0"
# German, Nordic, Dutch and Polish Apple Mail put the name after the verb: a few words, or
# anything with an address in it.
VERB_MIDDLE = re.compile(
    r"(?<![^\W\d_])(?:schrieb|skrev|schreef|napisana przez)(?![^\W\d_])"
    r"(?:(?:\s[^\s:：]{1,40}){1,5}|\s[^\n]{0,120}@[^\n]{1,120})[:：]$",
    re.IGNORECASE,
)
# Atomic, so that nothing around it backtracks into the address.
EMAIL = re.compile(r"(?<![\w.+'-])(?>[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8})")
# How far the address may be from the verb in "Ann <ann@x.com> (…) wrote:".
EMAIL_TO_VERB_CHARS = 160
SCHRIEB_AM = re.compile(r"(?<=[\w>)\]])\s?schrieb am\s[^\n]{1,100}[:：]$", re.IGNORECASE)
EMAIL_AT_END = re.compile(r"@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}>?\s?[:：]$")
EMAIL_TAIL_CHARS = 320
TIME = re.compile(r"\d{1,2}[:.]\d{2}")
GMAIL_DATE = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s[^\n]{1,200}<[\w.+'-]{1,64}@[\w.-]{1,255}>$"
    r"|^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{1,2}:?\d{2}\s\S[^\n]{0,150}$",
    re.IGNORECASE,
)
# A bare "Ann wrote:" has at most this much before the verb.
NAME_BEFORE_VERB_CHARS = 80

# A line may open a quote header that wraps onto the next lines.
HEADER_OPENER = re.compile(
    rf"^(?:-{{2,}}\s?)?(?:(?:{HEADER_START_LATIN})\s|(?:{HEADER_START_CJK})\s?)|^\d|[<@]",
    re.IGNORECASE,
)

# --- "-----Original Message-----" and "Begin forwarded message:" -----------------------------

SEPARATOR_PHRASES = frozenset(
    phrase.casefold()
    for phrase in (
        "original message",
        "original",
        "forwarded message",
        "begin forwarded message",
        "ursprüngliche nachricht",
        "originalnachricht",
        "weitergeleitete nachricht",
        "anfang der weitergeleiteten nachricht",
        "message d'origine",
        "message d’origine",
        "message original",
        "message transféré",
        "début du message réexpédié",
        "début du message transféré",
        "mensaje original",
        "mensaje reenviado",
        "inicio del mensaje reenviado",
        "comienzo del mensaje reenviado",
        "wiadomość oryginalna",
        "oryginalna wiadomość",
        "wiadomość przekazana dalej",
        "przekazana wiadomość",
        "początek przekazanej wiadomości",
        "tin nhắn gốc",
        "thư gốc",
        "thông điệp gốc",
        "tin nhắn được chuyển tiếp",
        "thư được chuyển tiếp",
        "thư chuyển tiếp",
        "bắt đầu tin nhắn được chuyển tiếp",
        "原始邮件",
        "原始郵件",
        "原邮件",
        "原郵件",
        "原始信件",
        "原始邮件信息",
        "原始郵件信息",
        "转发邮件信息",
        "轉寄郵件資訊",
        "转发的邮件",
        "轉寄的郵件",
        "转发邮件",
        "轉寄郵件",
        "以下为转发的邮件",
        "messaggio originale",
        "messaggio inoltrato",
        "oorspronkelijk bericht",
        "doorgestuurd bericht",
        "mensagem original",
        "mensagem encaminhada",
        "исходное сообщение",
        "пересылаемое сообщение",
        "ursprungligt meddelande",
        "vidarebefordrat meddelande",
    )
)
# Only meaningful when decorated with dashes ("------------------ Original ------------------").
DECORATED_ONLY = frozenset({"original"})
SEPARATOR_DECORATION = " \t*_=-~:："

# --- Outlook-style header blocks ("From: … Sent: … To: … Subject: …") ------------------------

FROM_FIELDS = frozenset(
    name.casefold()
    for name in (
        "from",
        "von",
        "de",
        "od",
        "nadawca",
        "từ",
        "người gửi",
        "发件人",
        "發件人",
        "寄件者",
        "寄件人",
        "da",
        "från",
        "fra",
        "van",
        "от",
        "від",
        "expéditeur",
        "remitente",
    )
)
OTHER_FIELDS = frozenset(
    name.casefold()
    for name in (
        "sent",
        "date",
        "to",
        "subject",
        "cc",
        "bcc",
        "reply-to",
        "sent by",
        "gesendet",
        "datum",
        "an",
        "betreff",
        "kopie",
        "antwort an",
        "envoyé",
        "à",
        "objet",
        "répondre à",
        "enviado",
        "enviada",
        "fecha",
        "para",
        "asunto",
        "responder a",
        "wysłano",
        "wysłane",
        "data",
        "do",
        "temat",
        "dw",
        "kopia",
        "đã gửi",
        "ngày",
        "ngày gửi",
        "đến",
        "người nhận",
        "chủ đề",
        "tiêu đề",
        "发送时间",
        "發送時間",
        "发送日期",
        "發送日期",
        "发件时间",
        "日期",
        "时间",
        "時間",
        "收件人",
        "主题",
        "主題",
        "抄送",
        "抄送人",
        "寄件日期",
        "收件者",
        "主旨",
        "副本",
        "a",
        "inviato",
        "risposta",
        "oggetto",
        "skickat",
        "till",
        "ämne",
        "sendt",
        "til",
        "emne",
        "verzonden",
        "aan",
        "onderwerp",
        "отправлено",
        "кому",
        "тема",
        "дата",
        "копия",
        "надіслано",
        "assunto",
    )
)
# "From: Ann", "*From:* Ann", "发件人：Ann", "Sent by: …". Group 1 is the would-be field name,
# looked up in the sets above.
FIELD_LINE = re.compile(r"^\*{0,2}([^\W\d_][^:：*\n]{0,20}?)\*{0,2}\s{0,3}[:：]")

# --- Signatures ------------------------------------------------------------------------------

# "-- " (the standard delimiter), "--", and a lone em dash.
SIGNATURE_DELIMITER = re.compile(r"^(?:--|—|–)\s*$")
# A line drawn only with these characters separates a signature or a mailing-list footer.
DELIMITER_CHARS = frozenset("-_=*~+#•·ᐧ")

# "Sent from my iPhone" and its relatives, one per line; checked on lines of at most 160 chars
# with surrounding brackets removed ("(Sent from mobile device)", "<<sent by galaxy>>").
_DEVICE = (
    r"(?<![^\W\d_])(?:iphone|ipad|ipod|android|mobile|phone|smartphone|cell|blackberry|galaxy"
    r"|samsung|huawei|xiaomi|oppo|vivo|pixel|windows|outlook|mail|mailbox|airmail|gmail|yahoo"
    r"|zalo|tablet|device|điện thoại)(?![^\W\d_])"
)
MOBILE_SIGNATURE = re.compile(
    r"^(?:"
    # English: "Sent from my iPhone", "Sent from Outlook", "Sent with Airmail", "Sent via mobile",
    # with an optional apology ("Sent from my cell, please excuse any typos.").
    r"sent (?:from|via|with|using|by) [^,\n]{1,100}?(?:[.,;!]?\s{0,3}"
    r"(?:please |pls )?(?:excuse|pardon|sorry|apologies)[^\n]{0,60})?"
    rf"|(?:from|via) (?:my )?{_DEVICE}(?:\s?[\w'-]{{1,12}}){{0,2}}"
    rf"|\S{{1,30}} from (?:my )?{_DEVICE}"
    r"|get (?:\[)?outlook for [^\n]{1,80}"
    # German
    r"|von meine[mr]? [^\n]{1,60} gesendet|gesendet (?:von|mit|aus|über|vom) [^\n]{1,80}"
    r"|diese nachricht wurde von meine[mr]? [^\n]{1,80} gesendet|outlook für [^\n]{1,40} beziehen"
    # French
    r"|envoy[ée] (?:de|depuis|à partir de|a partir de|avec|via|du) [^\n]{1,80}"
    r"|obtenir outlook pour [^\n]{1,40}"
    # Spanish / Portuguese
    r"|enviado (?:desde|de|do|con|com|v[íi]a) [^\n]{1,80}|obtener outlook para [^\n]{1,40}"
    # Polish
    r"|wys[łl]an[eoa] (?:z|ze|przy użyciu|za pomocą|z aplikacji) [^\n]{1,80}"
    r"|pobierz (?:aplikację )?outlook[^\n]{0,60}"
    # Vietnamese
    rf"|(?:được )?gửi từ [^\n]{{0,50}}(?:của tôi|{_DEVICE})[^\n]{{0,30}}"
    r"|tải outlook cho [^\n]{1,40}"
    # Chinese
    r"|(?:发自|發自|寄自)\s?我的\s?[^\n]{1,30}"
    r"|(?:发自|發自)\s?[^\n]{0,16}(?:网易|網易|邮箱|郵箱|手机|手機|qq|foxmail|outlook|iphone|ipad|android)[^\n]{0,16}"
    r"|(?:从|從)我的\s?[^\n]{1,30}?\s?(?:发送|傳送|发出|送出)"
    r"|获取 outlook for [^\n]{1,30}|取得 outlook for [^\n]{1,30}"
    # Dutch, Nordic, Italian
    r"|verzonden (?:met|vanaf|van) [^\n]{1,60}|verstuurd (?:met|vanaf|van) [^\n]{1,60}"
    r"|sendt fra [^\n]{1,60}|skickat från [^\n]{1,60}|inviato da [^\n]{1,60}"
    r"|sent by [^\n]{1,40}"
    r")\.?$",
    re.IGNORECASE,
)

# A closing line after which the writer's name (kept) and maybe contact lines follow.
VALEDICTIONS = frozenset(
    phrase.casefold()
    for phrase in (
        "thanks",
        "thank you",
        "thanks again",
        "many thanks",
        "thanks a lot",
        "thanks in advance",
        "best",
        "best regards",
        "kind regards",
        "regards",
        "warm regards",
        "warmest regards",
        "with regards",
        "cheers",
        "sincerely",
        "yours sincerely",
        "yours truly",
        "yours",
        "all the best",
        "br",
        "mit freundlichen grüßen",
        "mit freundlichen grüssen",
        "freundliche grüße",
        "mfg",
        "viele grüße",
        "beste grüße",
        "liebe grüße",
        "lg",
        "grüße",
        "gruß",
        "danke",
        "vielen dank",
        "cordialement",
        "bien cordialement",
        "merci",
        "merci beaucoup",
        "bien à vous",
        "salutations",
        "sincères salutations",
        "meilleures salutations",
        "saludos",
        "un saludo",
        "atentamente",
        "saludos cordiales",
        "gracias",
        "muchas gracias",
        "un abrazo",
        "pozdrawiam",
        "pozdrawiam serdecznie",
        "serdecznie pozdrawiam",
        "z poważaniem",
        "z wyrazami szacunku",
        "pozdrowienia",
        "dziękuję",
        "dzięki",
        "trân trọng",
        "trân trọng cảm ơn",
        "thân ái",
        "thân",
        "cảm ơn",
        "cám ơn",
        "xin cảm ơn",
        "cảm ơn bạn",
        "cảm ơn anh chị",
        "此致",
        "敬礼",
        "此致敬礼",
        "此致 敬礼",
        "谢谢",
        "謝謝",
        "多谢",
        "多謝",
        "感谢",
        "感謝",
        "祝好",
        "顺祝商祺",
        "順祝商祺",
        "顺颂商祺",
        "順頌商祺",
    )
)

# Lines of a signature's contact part: a phone number, an address, a web site, a handle.
CONTACT_LINE = re.compile(
    r"^(?:"
    r"(?:(?:tel|phone|mobile|mob|cell|fax|direct|office|hotline|t|m|f|p|ph|tél|telefon|tel\.?"
    r"|kom|komórka|điện thoại|đt|sđt|电话|電話|手机|手機|传真|傳真)\.?\s{0,3}[:：.]?\s{0,3})?"
    r"\+?[\d(][\d ()./-]{6,22}\d(?:\s{0,3}(?:ext|x)\.?\s{0,3}\d{1,6})?"
    r"|(?:e-?mail|mail|e)?\s{0,3}[:：.]?\s{0,3}[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|(?:web|website|www|url)?\s{0,3}[:：]?\s{0,3}(?:https?://|www\.)\S{2,200}"
    r"|(?:skype|linkedin|twitter|wechat|微信|zalo|line|whatsapp|telegram)\s{0,3}[:：]\s{0,3}\S[^\n]{0,60}"
    r")$",
    re.IGNORECASE,
)
