"""Which language a text is written in (pure, offline: the model ships inside py3langid).

Returns the product's language codes where they apply (en, vi, pl, zh-hans, zh-hant) and ISO
639-1 codes otherwise; "" when the text is too short to tell.

Tuned for support messages:

- Noise is removed first: quoted lines, a signature after "-- ", URLs, email addresses, markup
  and long tokens (order numbers, hashes) say nothing about the language.
- Scripts that settle the question are decided without the model: Han characters (then
  Simplified or Traditional by a table of characters whose forms differ), kana, Hangul, Thai,
  Greek, Hebrew, and letters only Vietnamese uses.
- The statistical model is restricted to the languages a desk plausibly receives (configurable
  through ``SUPPORTDESK["DETECT_LANGUAGES"]``), and biased towards the desk's own languages
  (``settings.LANGUAGES``), which makes short messages far more reliable. A message in a language
  outside that set is still recognised when the full model is sure of it.
- Vietnamese typed without diacritics (common on phones) is recognised by its syllables.
- Texts with fewer than MIN_LETTERS letters return "" rather than a guess.

Typical cost is about 0.1 ms per message after the model is loaded once per process (~1 s).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Below this many letters a text is "too short to tell" (Han characters count as letters)…
MIN_LETTERS = 12
# … except that this many Han characters, or this many letters with one that only Vietnamese
# uses among them, are enough: the script itself tells.
MIN_HAN = 2
MIN_VIETNAMESE_LETTERS = 5
# Only the start of a long message is classified; it is plenty and keeps the cost flat.
MAX_SAMPLE_CHARS = 1200
# The model's answer is used only when it is at least this sure …
MIN_CONFIDENCE = 0.5
# … and is checked against the unrestricted model when it is less sure than this.
SURE = 0.8
# A language outside the restricted set wins only when the unrestricted model is this sure.
OUTSIDE_SET_CONFIDENCE = 0.9
# Log-prior bonus for the desk's own languages (e^2 ≈ 7×): short messages lean to them.
DESK_LANGUAGE_BONUS = 2.0

# Languages support desks commonly receive; the desk's own languages are always added.
DEFAULT_LANGUAGES = (
    "en", "vi", "pl", "zh", "de", "fr", "es", "pt", "it", "nl", "ru", "uk", "ja", "ko", "cs",
    "sv", "da", "no", "fi", "tr", "id", "th", "ar", "he", "hi", "hu", "ro", "el",
)  # fmt: skip
DESK_LANGUAGES = ("en", "vi", "pl", "zh")

# --- Cleaning --------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S{1,2000}", re.IGNORECASE)
_EMAIL = re.compile(r"\S{1,200}@\S{1,200}")
_TAG = re.compile(r"<[^<>\n]{0,300}>")
# Order numbers, hashes, tracking codes, base64: ASCII runs without spaces.
_LONG_TOKEN = re.compile(r"[\w+/=.:#-]{31,}", re.ASCII)
_WORD = re.compile(r"[^\W\d_]+")

# --- Scripts ---------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_GREEK = re.compile(r"[\u0370-\u03ff]")
_HEBREW = re.compile(r"[\u0590-\u05ff]")
# Letters (after NFC) that only Vietnamese uses: ơ ư ă đ and the vowels with a dot below or a
# hook above, in both cases.
_VIETNAMESE_ONLY = frozenset(
    "ơưăđƠƯĂĐạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
)

# Vietnamese syllables as typed without diacritics; a text made mostly of them is Vietnamese.
# Chosen to be rare as words of English, French, Spanish, Portuguese, German and Polish.
_VIETNAMESE_PLAIN = frozenset(
    [
        "khong",
        "duoc",
        "nguoi",
        "nhung",
        "trong",
        "voi",
        "nhieu",
        "nhan",
        "hoac",
        "neu",
        "biet",
        "muon",
        "giup",
        "xin",
        "chao",
        "chung",
        "nao",
        "gio",
        "ngay",
        "thang",
        "thanh",
        "toan",
        "khoan",
        "khau",
        "nhap",
        "pham",
        "dich",
        "khach",
        "roi",
        "nhe",
        "vay",
        "duoi",
        "tren",
        "giao",
        "hoan",
        "viec",
        "them",
        "dung",
        "moi",
        "hoi",
        "dien",
        "thoai",
        "nhu",
        "cung",
        "nhat",
        "theo",
        "truoc",
        "xuong",
        "chua",
        "phai",
        "cua",
        "cho",
        "minh",
        "anh",
        "mot",
        "nay",
        "khi",
        "thi",
        "dang",
        "rat",
        "gui",
        "lai",
        "vao",
        "lam",
        "toi",
        "ban",
        "sao",
        "cam",
        "hang",
        "don",
        "tai",
        "dau",
        "duoc",
        "cau",
        "tra",
        "loi",
        "ngan",
        "hang",
        "tien",
        "mua",
        "ban",
        "nhanh",
        "cham",
        "giai",
        "quyet",
        "lien",
        "vien",
        "tro",
        "sinh",
        "nhieu",
        "thong",
        "tin",
        "cong",
        "san",
        "xuat",
        "kinh",
        "doanh",
        "nuoc",
        "tinh",
        "thuoc",
        "uong",
        "hieu",
        "ro",
        "rang",
        "dia",
        "diem",
        "kiem",
        "tra",
        "bao",
        "nhieu",
        "hom",
        "qua",
        "mai",
        "sang",
        "chieu",
        "toi",
        "nay",
        "luon",
        "van",
        "de",
        "gap",
        "kho",
        "khan",
        "ket",
        "noi",
        "mang",
        "loi",
        "hong",
        "sua",
        "chuyen",
        "doi",
        "huy",
        "bo",
        "nhe",
        "nha",
        "nhi",
        "a",
        "oi",
        "vang",
        "da",
        "co",
        "ma",
        "ve",
        "den",
        "ra",
        "len",
        "di",
        "la",
        "va",
        "cac",
        "nhung",
        "thoi",
        "gian",
        "xem",
        "duoc",
        "ong",
        "chi",
        "em",
        "ho",
        "no",
        "chi",
        "nua",
        "phan",
        "hoi",
        "mat",
        "tim",
        "thay",
        "ten",
        "tuoi",
        "so",
        "luong",
        "gia",
        "tri",
        "phi",
        "dich",
        "vu",
        "dat",
    ]
)
# A Vietnamese syllable without its marks: onset, vowel nucleus, final consonant.
_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:uye|uya|uyu|oai|oay|oao|uoi|uou|ieu|yeu|ia|ie|iu|ye|oa|oe|oo|ua|ue|ui|uo|uu|uy"
    r"|ai|ao|au|ay|eo|eu|oi|a|e|i|o|u|y)"
    r"(?:ng|nh|ch|c|m|n|p|t)?"
)
_MIN_PLAIN_WORDS = 4
# Mostly frequent syllables, or nearly all syllable-shaped with a fair share of frequent ones.
# Measured: no English, French, Spanish, Portuguese, German or Polish sentence or word pair of
# the lingua test set passes (with or without its diacritics).
_PLAIN_SHARE = 0.6
_SHAPED_SHARE, _SHAPED_FREQUENT_SHARE = 0.85, 0.25

# --- Simplified and Traditional Chinese --------------------------------------------------------

# Traditional and Simplified forms of frequent characters, as pairs. Only characters whose form
# is used in just one of the two scripts count; _AMBIGUOUS_SIMPLIFIED lists Simplified forms that
# are also ordinary Traditional characters (后 "queen", 面 "face", 台 in 台灣, …) and so say
# nothing. The table was checked against a sentence corpus in both scripts: no Traditional form
# occurs in Simplified text and no remaining Simplified form in Traditional text.
_PAIRS = """
們们 個个 來来 時时 會会 說说 對对 這这 為为 與与 還还 點点 關关 開开 問问 題题 電电 號号 碼码 發发
務务 應应 實实 際际 體体 網网 頁页 處处 設设 備备 帳帐 戶户 訂订 單单 過过 麼么 學学 國国 動动 樣样
經经 現现 將将 長长 進进 見见 頭头 氣气 產产 書书 業业 東东 兩两 從从 給给 讓让 認认 識识 記记 講讲
論论 謝谢 該该 詢询 試试 誤误 訊讯 計计 詳详 證证 議议 調调 談谈 讀读 變变 譯译 護护 許许 評评 課课
訪访 話话 語语 請请 謂谓 誠诚 討讨 訴诉 錢钱 銀银 錯错 鋼钢 鎖锁 鏈链 銷销 鍵键 針针 鐵铁 錄录 鏡镜
門门 間间 閱阅 閉闭 聞闻 閃闪 結结 統统 線线 級级 紅红 約约 組组 細细 終终 絕绝 編编 練练 續续 維维
總总 紙纸 紀纪 納纳 純纯 績绩 縮缩 繼继 緊紧 緒绪 綠绿 買买 賣卖 費费 貨货 貼贴 賬账 資资 質质 購购
負负 貴贵 賠赔 財财 責责 販贩 贈赠 車车 輛辆 輸输 軟软 轉转 載载 較较 輕轻 連连 運运 遠远 達达 選选
邊边 遞递 違违 遲迟 馬马 嗎吗 媽妈 驗验 驚惊 順顺 預预 領领 頻频 額额 類类 顯显 項项 顧顾 頓顿 覺觉
觀观 視视 親亲 規规 覽览 飯饭 館馆 飲饮 無无 愛爱 辦办 幫帮 報报 筆笔 標标 補补 參参 層层 場场 傳传
創创 帶带 擔担 導导 燈灯 斷断 隊队 兒儿 爾尔 飛飞 剛刚 構构 歸归 漢汉 劃划 華华 壞坏 歡欢 環环 換换
機机 雞鸡 積积 極极 簡简 階阶 節节 舉举 決决 塊块 藍蓝 勞劳 樂乐 離离 禮礼 歷历 聯联 糧粮 靈灵 劉刘
龍龙 樓楼 陸陆 亂乱 輪轮 羅罗 滿满 貓猫 夢梦 滅灭 鳴鸣 難难 腦脑 鬧闹 內内 擬拟 寧宁 農农 歐欧 盤盘
憑凭 齊齐 啟启 強强 橋桥 慶庆 區区 權权 確确 熱热 榮荣 殺杀 傷伤 燒烧 紳绅 審审 聲声 師师 濕湿 勢势
飾饰 壽寿 數数 雙双 誰谁 稅税 絲丝 雖虽 隨随 歲岁 孫孙 態态 歎叹 湯汤 條条 聽听 廳厅 圖图 團团 衛卫
溫温 穩稳 霧雾 習习 戲戏 蝦虾 嚇吓 鮮鲜 閒闲 險险 鄉乡 響响 寫写 興兴 尋寻 壓压 亞亚 煙烟 嚴严 鹽盐
陽阳 養养 藥药 爺爷 醫医 儀仪 億亿 藝艺 陰阴 營营 贏赢 擁拥 優优 郵邮 魚鱼 員员 園园 雜杂 災灾 讚赞
則则 擇择 賊贼 張张 漲涨 趙赵 診诊 陣阵 鎮镇 爭争 職职 鐘钟 眾众 豬猪 諸诸 專专 裝装 狀状 縱纵 鑽钻
冊册 價价 邏逻 輯辑 檔档 庫库 據据 隱隐 觸触 擊击 鍋锅 擴扩 緩缓 輔辅 驟骤 驅驱 濾滤 憶忆 慮虑 瀏浏
戰战 蘭兰 麗丽 勵励 鄰邻 臨临 齡龄 屬属 嶼屿 島岛 灣湾 圍围 幣币 貿贸 銳锐 鋒锋 兌兑 匯汇 壇坛 壯壮
礎础 艦舰 軍军 陳陈 簽签 籃篮 紹绍 繳缴 織织 罰罚 聖圣 聰聪 膽胆 膚肤 蓋盖 襪袜 謀谋 謹谨 贊赞 趕赶
跡迹 蹤踪 躍跃 軌轨 辭辞 鄭郑 釋释 鉛铅 鍛锻 閣阁 闊阔 隸隶 靜静 韓韩 頂顶 須须 顆颗 風风 飄飘 餓饿
騙骗 黃黄 黨党 齒齿 龜龟 後后 裡里 幹干 製制 準准 隻只 種种 復复 捨舍 徵征 穀谷 髮发 臺台 颱台 萬万
範范 餘余 遊游 葉叶 蟲虫 衝冲 廣广 豐丰 術术 蘋苹 錶表 託托 誌志 週周 醜丑 鬆松 鬍胡 麵面 雲云 鬥斗
於于 卻却 勝胜 當当 軒轩 蘇苏 沒没 並并 劍剑 紋纹 競竞 煩烦 諒谅 竄窜 況况 罵骂 潤润 協协 韌韧
濟济 稱称 踐践 絡络 諧谐 溼湿 蘊蕴 佈布 幾几 澀涩 厲厉 攝摄 賽赛 籤签 瘋疯 義义 奪夺 敗败 餅饼 療疗
縣县 槍枪 桿杆 傭佣 婦妇 儘尽 盡尽 憲宪 鯨鲸 僅仅 懷怀 尷尴 猶犹 攜携 寬宽 註注 執执 礙碍 檢检 舊旧
儲储 螢萤 貸贷 畫画 繫系 係系 彈弹 損损 償偿 櫃柜 駕驾 駛驶 鑰钥 夾夹 複复 刪删 異异 鏈链 撥拨 撿捡
"""
_AMBIGUOUS_SIMPLIFIED = frozenset(
    "后里干制准只种复舍征谷台万范余游叶虫冲广丰术苹表托志周丑松胡面云斗于胜并布几杆佣注系却况柜"
    # Hong Kong glyph standard (戶 溫 稅 written 户 温 税)
    "户温税"
)
_TRADITIONAL = frozenset(pair[0] for pair in _PAIRS.split())
_SIMPLIFIED = frozenset(pair[1] for pair in _PAIRS.split()) - _AMBIGUOUS_SIMPLIFIED - _TRADITIONAL


def chinese_script(text: str) -> str:
    """ "zh-hant" when `text` leans to Traditional forms, else "zh-hans" (also on a tie: with
    no telling character, Simplified is the likelier script)."""
    traditional = simplified = 0
    for ch in text:
        if ch in _TRADITIONAL:
            traditional += 1
        elif ch in _SIMPLIFIED:
            simplified += 1
    return "zh-hant" if traditional > simplified else "zh-hans"


# --- The model -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _full_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(languages: frozenset[str], favoured: frozenset[str]) -> Any:
    """An identifier restricted to `languages`, sharing the full model's tables, with a prior
    bonus for `favoured` (the desk's own languages)."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    full = _full_identifier()
    known = set(full.nb_classes)
    restricted = LanguageIdentifier(
        full.nb_ptc,
        full.nb_pc,
        full.nb_classes,
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )
    restricted.set_languages(sorted(languages & known))
    # The class priors are the model's log P(language); raising them is a Bayesian prior.
    bonus = [DESK_LANGUAGE_BONUS if code in favoured else 0.0 for code in restricted.nb_classes]
    restricted.nb_pc = restricted.nb_pc + np.asarray(bonus, dtype=restricted.nb_pc.dtype)
    return restricted


def _model_code(code: str) -> str:
    return "zh" if code.startswith("zh") else code.split("-")[0]


def configured_languages() -> tuple[frozenset[str], frozenset[str]]:
    """(the languages to consider, the desk's own languages), in the model's codes, from
    settings when Django is configured, else the defaults."""
    candidates: tuple[str, ...] = DEFAULT_LANGUAGES
    desk: tuple[str, ...] = DESK_LANGUAGES
    try:
        from django.conf import settings

        if settings.configured:
            candidates = tuple(getattr(settings, "SUPPORTDESK", {}).get("DETECT_LANGUAGES") or candidates)
            desk = tuple(code for code, _name in getattr(settings, "LANGUAGES", ())) or desk
    except ImportError:  # pragma: no cover - Django is always installed with the project
        pass
    return _model_codes(candidates, desk)


@lru_cache(maxsize=8)
def _model_codes(candidates: tuple[str, ...], desk: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    favoured = frozenset(_model_code(code) for code in desk)
    return frozenset(_model_code(code) for code in candidates) | favoured, favoured


# --- Detection -------------------------------------------------------------------------------


def clean_for_detection(text: str) -> str:
    """The part of `text` that tells its language: no quoted lines, no signature after "-- ",
    no URLs, addresses, markup or long tokens."""
    kept: list[str] = []
    size = 0
    for line in (text or "").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped in ("--", "-- "):
            break
        if stripped.startswith((">", "|")):
            continue
        kept.append(line)
        size += len(line)
        if size > MAX_SAMPLE_CHARS * 4:
            break
    sample = "\n".join(kept)
    for pattern in (_URL, _EMAIL, _TAG, _LONG_TOKEN):
        sample = pattern.sub(" ", sample)
    return unicodedata.normalize("NFC", " ".join(sample.split()))[:MAX_SAMPLE_CHARS]


def _plain_vietnamese(sample: str) -> bool:
    """Vietnamese typed without diacritics: mostly its syllables, and nothing but ASCII."""
    if not sample.isascii():
        return False
    words = [word.lower() for word in _WORD.findall(sample)]
    if len(words) < _MIN_PLAIN_WORDS:
        return False
    frequent = sum(word in _VIETNAMESE_PLAIN for word in words)
    if frequent >= _PLAIN_SHARE * len(words):
        return True
    shaped = sum(bool(_VIETNAMESE_SYLLABLE.fullmatch(word)) for word in words)
    return shaped >= _SHAPED_SHARE * len(words) and frequent >= _SHAPED_FREQUENT_SHARE * len(words)


def _by_script(sample: str, letters: int) -> str | None:
    """The answer when the script alone settles it, else None."""
    if sample.isascii():
        return None
    if max(sample) < "\u0370":  # Latin letters only: just the Vietnamese check applies
        return _vietnamese_letters(sample, letters)
    han = len(_HAN.findall(sample))
    if han:
        if _KANA.search(sample):
            return "ja"
        if han >= MIN_HAN and han * 2 >= letters:
            return chinese_script(sample)
    for pattern, code in ((_HANGUL, "ko"), (_THAI, "th"), (_GREEK, "el"), (_HEBREW, "he")):
        if len(pattern.findall(sample)) * 2 >= letters > 0:
            return code
    return _vietnamese_letters(sample, letters)


def _vietnamese_letters(sample: str, letters: int) -> str | None:
    if letters < MIN_VIETNAMESE_LETTERS:
        return None
    marked = sum(ch in _VIETNAMESE_ONLY for ch in sample)
    crossed_d = sample.count("đ") + sample.count("Đ")
    # đ alone could be Croatian or Serbian; the other letters are Vietnamese only.
    return "vi" if marked - crossed_d >= 1 or marked >= 2 else None


def detect_language(text: str, *, min_letters: int = MIN_LETTERS) -> str:
    """The language of `text` as a product code (en, vi, pl, zh-hans, zh-hant) or ISO 639-1
    code; "" when there is too little text to tell or the model is unsure."""
    sample = clean_for_detection(text)
    letters = sum(map(str.isalpha, sample))
    if letters == 0:
        return ""
    settled = _by_script(sample, letters)
    if settled is not None:
        return settled
    if letters < min_letters:
        return ""
    if _plain_vietnamese(sample):
        return "vi"
    languages, favoured = configured_languages()
    code, confidence = _identifier(languages, favoured).classify(sample)
    if confidence < SURE:
        outside, outside_confidence = _full_identifier().classify(sample)
        if outside not in languages and outside_confidence >= OUTSIDE_SET_CONFIDENCE:
            return _product_code(outside, sample)
    if confidence < MIN_CONFIDENCE:
        return ""
    return _product_code(code, sample)


def _product_code(code: str, sample: str) -> str:
    if code == "zh":
        return chinese_script(sample)
    return "" if code in ("und", "zxx") else code
