"""Name pools for the demo's customers, per language, written as people there write them.

Each pool gives given names by gender (Polish verbs and Vietnamese and Chinese forms of address
depend on it) and family names; Chinese names carry the romanization used for their email address.
"""

from __future__ import annotations

import unicodedata

from supportdesk.demo.data.company import FEMALE, MALE

EN_GIVEN = {
    FEMALE: (
        "Emma", "Ava", "Sophia", "Mia", "Amelia", "Harper", "Charlotte", "Grace", "Chloe", "Ruby",
        "Isla", "Lily", "Hannah", "Zoe", "Lucy", "Ella", "Megan", "Rachel", "Laura", "Naomi",
    ),
    MALE: (
        "Liam", "Noah", "James", "Lucas", "Ethan", "Benjamin", "Henry", "Samuel", "Jack", "Oliver",
        "Thomas", "George", "Nathan", "Ryan", "Adam", "Owen", "Leo", "Matthew", "Aaron", "Isaac",
    ),
}  # fmt: skip
EN_FAMILY = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Roberts", "Walker", "Wright",
    "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke",
    "Patel", "Murphy", "Foster", "Campbell", "Reid", "Carter", "Turner", "Morgan", "Bailey", "Okafor",
)  # fmt: skip

# Vietnamese names are written family name, middle name, given name; people are addressed by the
# given name (the last word), so "Nguyễn Thị Lan" is "chị Lan".
VI_GIVEN = {
    FEMALE: (
        "Thị Lan", "Thị Hương", "Thu Trang", "Ngọc Mai", "Khánh Linh", "Thanh Hương", "Bảo Ngọc",
        "Gia Hân", "Thảo Vy", "Minh Thư", "Thùy Dung", "Phương Anh", "Hải Yến", "Kim Chi",
    ),
    MALE: (
        "Văn Hùng", "Minh Tuấn", "Quang Huy", "Đức Anh", "Hoài Nam", "Hữu Phước", "Văn Dũng",
        "Thành Long", "Quốc Việt", "Trung Kiên", "Hoàng Sơn", "Tiến Đạt", "Công Minh", "Anh Khoa",
    ),
}  # fmt: skip
VI_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý",
)  # fmt: skip

PL_GIVEN = {
    FEMALE: (
        "Anna", "Małgorzata", "Agnieszka", "Magdalena", "Ewa", "Zofia", "Aleksandra", "Natalia",
        "Karolina", "Monika", "Barbara", "Dorota", "Beata", "Justyna", "Katarzyna", "Marta",
    ),
    MALE: (
        "Piotr", "Krzysztof", "Tomasz", "Paweł", "Michał", "Łukasz", "Jakub", "Grzegorz", "Wojciech",
        "Marcin", "Andrzej", "Adam", "Kamil", "Mateusz", "Bartosz", "Rafał",
    ),
}  # fmt: skip
# Polish family names ending in -ski/-cki take -ska/-cka for women; the others do not change.
PL_FAMILY = (
    ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
    ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"),
    ("Nowak", "Nowak"), ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Król", "Król"),
    ("Wieczorek", "Wieczorek"), ("Jabłoński", "Jabłońska"), ("Nowicki", "Nowicka"),
    ("Majewski", "Majewska"), ("Olszewski", "Olszewska"),
)  # fmt: skip

# Chinese names: family name first, no space. (characters, romanization for the email address)
ZH_HANS_FAMILY = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("罗", "luo"), ("郑", "zheng"),
)  # fmt: skip
ZH_HANS_GIVEN = {
    FEMALE: (
        ("芳", "fang"), ("娜", "na"), ("秀英", "xiuying"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
        ("艳", "yan"), ("娟", "juan"), ("霞", "xia"), ("欣怡", "xinyi"), ("雨桐", "yutong"),
        ("婷", "ting"), ("雪", "xue"), ("佳琪", "jiaqi"),
    ),
    MALE: (
        ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
        ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("浩然", "haoran"),
        ("思远", "siyuan"), ("子轩", "zixuan"), ("建国", "jianguo"),
    ),
}  # fmt: skip
# Taiwanese romanization, as on Taiwanese passports.
ZH_HANT_FAMILY = (
    ("陳", "chen"), ("林", "lin"), ("黃", "huang"), ("張", "chang"), ("李", "lee"), ("王", "wang"),
    ("吳", "wu"), ("劉", "liu"), ("蔡", "tsai"), ("楊", "yang"), ("許", "hsu"), ("鄭", "cheng"),
    ("謝", "hsieh"), ("郭", "kuo"), ("洪", "hung"), ("曾", "tseng"), ("邱", "chiu"), ("廖", "liao"),
    ("賴", "lai"), ("周", "chou"),
)  # fmt: skip
ZH_HANT_GIVEN = {
    FEMALE: (
        ("怡君", "yichun"), ("雅婷", "yating"), ("淑芬", "shufen"), ("佳穎", "chiaying"),
        ("宜蓁", "yichen"), ("品妤", "pinyu"), ("詩涵", "shihhan"), ("思妤", "szuyu"),
        ("欣妤", "hsinyu"), ("美玲", "meiling"), ("惠雯", "huiwen"), ("郁婷", "yuting"),
    ),
    MALE: (
        ("志明", "chihming"), ("家豪", "chiahao"), ("建宏", "chienhung"), ("冠宇", "kuanyu"),
        ("承恩", "chengen"), ("俊傑", "chunchieh"), ("彥廷", "yenting"), ("宗翰", "tsunghan"),
        ("柏翰", "pohan"), ("信宏", "hsinhung"), ("子豪", "tzuhao"), ("文彬", "wenpin"),
    ),
}  # fmt: skip

# How many customers of each language the demo desk has (about 150 in all).
CUSTOMERS_PER_LANGUAGE = {"en": 50, "vi": 25, "pl": 25, "zh-hans": 25, "zh-hant": 25}

_ASCII_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L"})


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for an email local part: "Wiśniewska" → "wisniewska", "Đặng" → "dang"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_ASCII_FOLD))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-")).lower()
