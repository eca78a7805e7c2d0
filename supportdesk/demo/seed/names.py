"""Word lists for the bench data set's organization names, per language (plain data).

Names combine a first word, a second word and a kind, so a few dozen words give thousands of
distinct names;
Chinese words carry the romanization their domain names use. Domains are under the reserved
.example top-level domain (RFC 2606).
"""

from __future__ import annotations

# (first words, second words, kinds, order): order "ab k" writes "A B K", "k ab" writes "K A B",
# "c ab k" (Chinese) writes the words without spaces after a city.
ORGANIZATION_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        (
            "Blue", "Harbor", "Maple", "North", "Silver", "Oak", "Summit", "River", "Cedar", "Granite",
            "Pine", "Bright", "Golden", "Red", "Lake", "Coral", "Iron", "Willow", "Sunny", "Elm",
        ),
        (
            "Peak", "Field", "Brook", "Bridge", "Point", "Ridge", "Valley", "Gate", "Crest", "Grove",
            "Hill", "Bay", "Mill", "Park", "Wood", "Shore",
        ),
        (
            "Outfitters", "Dental Clinic", "Coffee Co.", "Interiors", "Logistics", "Bakery", "Studio",
            "Hotels", "Fitness", "Pharmacy", "Realty", "Auto Repair",
        ),
    ),
    "vi": (
        (
            "Sen", "Hương", "Mai", "Lúa", "Ngọc", "Minh", "Phú", "An", "Thành", "Hòa", "Bình", "Phúc",
            "Tâm", "Việt", "Đông", "Nam",
        ),
        ("Vàng", "Quê", "Xanh", "Phát", "Long", "Thịnh", "Hưng", "Lợi", "Tín", "Đạt", "Khang", "Sơn"),
        ("Công ty TNHH", "Công ty Cổ phần", "Nhà hàng", "Khách sạn", "Cửa hàng", "Phòng khám"),
    ),
    "pl": (
        (
            "Bursztynowy", "Wiśniowy", "Zielony", "Złoty", "Mazowiecki", "Bałtycki", "Górski", "Leśny",
            "Słoneczny", "Jasny", "Polny", "Srebrny",
        ),
        ("Sad", "Dom", "Most", "Ogród", "Port", "Młyn", "Dwór", "Gaj", "Brzeg", "Zakątek"),
        ("sp. z o.o.", "S.A.", "Studio", "Logistyka", "Apteka", "Piekarnia", "Hotel", "Serwis"),
    ),
    "zh-hans": (
        ("上海", "杭州", "北京", "深圳", "广州", "成都", "南京", "苏州", "武汉", "西安"),
        (
            "云帆", "青禾", "星辰", "锦华", "瑞丰", "恒通", "嘉禾", "新源", "天诚", "华美", "东升",
            "远航",
        ),
        (
            "科技有限公司", "餐饮管理有限公司", "物流有限公司", "贸易有限公司", "设计有限公司",
            "酒店管理有限公司",
        ),
    ),
    "zh-hant": (
        ("台北", "新北", "台中", "高雄", "台南", "桃園", "新竹", "基隆"),
        ("晨光", "海港", "春風", "鼎新", "永和", "合信", "金誠", "和煦", "青松", "明日"),
        ("設計工作室", "物流股份有限公司", "科技股份有限公司", "餐飲有限公司", "貿易有限公司", "企業社"),
    ),
}  # fmt: skip

# Romanizations of the Chinese words, for domain names.
ROMANIZED: dict[str, str] = {
    "云帆": "yunfan", "青禾": "qinghe", "星辰": "xingchen", "锦华": "jinhua", "瑞丰": "ruifeng",
    "恒通": "hengtong", "嘉禾": "jiahe", "新源": "xinyuan", "天诚": "tiancheng", "华美": "huamei",
    "东升": "dongsheng", "远航": "yuanhang", "晨光": "chenguang", "海港": "haigang",
    "春風": "chunfeng", "鼎新": "dingxin", "永和": "yungho", "合信": "hohsin", "金誠": "chincheng",
    "和煦": "hohsu", "青松": "chingsung", "明日": "mingri",
}  # fmt: skip

PERSONAL_DOMAINS = ("example.com", "example.net", "example.org")
AGENT_DOMAIN = "bench.example"
