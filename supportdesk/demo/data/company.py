"""The demo company: Brightleaf, a maker of smart-home devices with a web shop, an app, a
subscription and a developer API. Its team, its customers' organizations and its desk set-up.

Everything here is plain data; `supportdesk.demo.plan` decides what to do with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.accounts.choices import Role
from supportdesk.demo.credentials import DEMO_DOMAIN, demo_login
from supportdesk.tickets.choices import FieldType, Status

SUPPORT, BILLING, TECHNICAL = "Support", "Billing", "Technical"

GROUPS: dict[str, str] = {
    SUPPORT: "Everyone who answers customers: accounts, orders, deliveries and product questions.",
    BILLING: "Payments, invoices, refunds and subscriptions.",
    TECHNICAL: "Devices, the app, the developer API and integrations.",
}

MALE, FEMALE = "m", "f"


@dataclass(frozen=True)
class StaffMember:
    key: str
    name: str
    email: str
    role: str
    gender: str
    groups: tuple[str, ...] = ()
    # The languages this person answers customers in (the demo routes tickets by them).
    languages: tuple[str, ...] = ()
    # The interface language; empty follows the browser, which suits the printed demo sign-ins.
    ui_language: str = ""
    time_zone: str = ""


def _login(role: str) -> tuple[str, str]:
    login = demo_login(role)
    return login.name, login.email


STAFF: tuple[StaffMember, ...] = (
    StaffMember("admin", *_login(Role.ADMINISTRATOR), Role.ADMINISTRATOR, FEMALE, time_zone="Europe/London"),
    StaffMember(
        "manager",
        *_login(Role.MANAGER),
        Role.MANAGER,
        MALE,
        languages=("vi", "en"),
        time_zone="Asia/Ho_Chi_Minh",
    ),
    StaffMember(
        "daniel",
        *_login(Role.AGENT),
        Role.AGENT,
        MALE,
        groups=(SUPPORT, TECHNICAL),
        languages=("en",),
        time_zone="Europe/London",
    ),
    StaffMember(
        "ha",
        "Nguyễn Thu Hà",
        f"thu.ha.nguyen@{DEMO_DOMAIN}",
        Role.AGENT,
        FEMALE,
        groups=(SUPPORT,),
        languages=("vi", "en"),
        ui_language="vi",
        time_zone="Asia/Ho_Chi_Minh",
    ),
    StaffMember(
        "katarzyna",
        "Katarzyna Wiśniewska",
        f"katarzyna.wisniewska@{DEMO_DOMAIN}",
        Role.AGENT,
        FEMALE,
        groups=(SUPPORT, TECHNICAL),
        languages=("pl", "en"),
        ui_language="pl",
        time_zone="Europe/Warsaw",
    ),
    StaffMember(
        "xiaowen",
        "陈晓雯",
        f"xiaowen.chen@{DEMO_DOMAIN}",
        Role.AGENT,
        FEMALE,
        groups=(SUPPORT,),
        languages=("zh-hans", "zh-hant", "en"),
        ui_language="zh-hans",
        time_zone="Asia/Shanghai",
    ),
    StaffMember(
        "piotr",
        "Piotr Zieliński",
        f"piotr.zielinski@{DEMO_DOMAIN}",
        Role.AGENT,
        MALE,
        groups=(BILLING,),
        languages=("pl", "en"),
        ui_language="pl",
        time_zone="Europe/Warsaw",
    ),
    StaffMember(
        "minhanh",
        "Lê Minh Anh",
        f"minh.anh.le@{DEMO_DOMAIN}",
        Role.AGENT,
        FEMALE,
        groups=(BILLING,),
        languages=("vi", "en"),
        ui_language="vi",
        time_zone="Asia/Ho_Chi_Minh",
    ),
    StaffMember(
        "yichun",
        "林怡君",
        f"yichun.lin@{DEMO_DOMAIN}",
        Role.AGENT,
        FEMALE,
        groups=(BILLING,),
        languages=("zh-hant", "zh-hans", "en"),
        ui_language="zh-hant",
        time_zone="Asia/Taipei",
    ),
    StaffMember(
        "bao",
        "Trần Quốc Bảo",
        f"quoc.bao.tran@{DEMO_DOMAIN}",
        Role.AGENT,
        MALE,
        groups=(TECHNICAL,),
        languages=("vi", "en"),
        ui_language="vi",
        time_zone="Asia/Ho_Chi_Minh",
    ),
    StaffMember(
        "wanglei",
        "王磊",
        f"lei.wang@{DEMO_DOMAIN}",
        Role.AGENT,
        MALE,
        groups=(TECHNICAL,),
        languages=("zh-hans", "zh-hant", "en"),
        ui_language="zh-hans",
        time_zone="Asia/Shanghai",
    ),
    StaffMember(
        "collaborator",
        *_login(Role.COLLABORATOR),
        Role.COLLABORATOR,
        FEMALE,
        languages=("pl", "en"),
        time_zone="Europe/Warsaw",
    ),
)
STAFF_BY_KEY = {member.key: member for member in STAFF}


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    domain: str
    language: str
    shares_tickets: bool = False
    notes: str = ""


# Domains under the reserved .example top-level domain (RFC 2606).
ORGANIZATIONS: tuple[OrganizationSpec, ...] = (
    OrganizationSpec(
        "Harbor Coffee Co.",
        "harborcoffee.example",
        "en",
        shares_tickets=True,
        notes="Café chain, 14 shops. Everyone in the office follows all of the company's requests.",
    ),
    OrganizationSpec("Bluepeak Outfitters", "bluepeak.example", "en"),
    OrganizationSpec("Maple & Stone Interiors", "maplestone.example", "en"),
    OrganizationSpec("Riverside Dental Clinic", "riversidedental.example", "en"),
    OrganizationSpec("Công ty TNHH Sen Vàng", "senvang.example", "vi"),
    OrganizationSpec("Nhà hàng Hương Quê", "huongque.example", "vi"),
    OrganizationSpec("Studio Wiśniowy Sad", "wisniowysad.example", "pl"),
    OrganizationSpec("Bursztyn Logistyka sp. z o.o.", "bursztyn.example", "pl"),
    OrganizationSpec("上海云帆科技有限公司", "yunfan.example", "zh-hans"),
    OrganizationSpec("杭州青禾餐饮管理有限公司", "qinghe.example", "zh-hans"),
    OrganizationSpec("晨光設計工作室", "chenguang.example", "zh-hant"),
    OrganizationSpec("高雄海港物流股份有限公司", "haigang.example", "zh-hant"),
)
PORTAL_ORGANIZATION = "Harbor Coffee Co."
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True)
class CategorySpec:
    key: str
    name: str
    translations: dict[str, str]
    group: str
    parent: str | None = None


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "account",
        "Account & sign-in",
        {
            "vi": "Tài khoản & đăng nhập",
            "pl": "Konto i logowanie",
            "zh-hant": "帳號與登入",
            "zh-hans": "账号与登录",
        },
        SUPPORT,
    ),
    CategorySpec(
        "billing",
        "Billing",
        {"vi": "Thanh toán", "pl": "Rozliczenia", "zh-hant": "帳務", "zh-hans": "账务"},
        BILLING,
    ),
    CategorySpec(
        "billing/invoices",
        "Invoices",
        {"vi": "Hóa đơn", "pl": "Faktury", "zh-hant": "發票", "zh-hans": "发票"},
        BILLING,
        parent="billing",
    ),
    CategorySpec(
        "billing/refunds",
        "Refunds",
        {"vi": "Hoàn tiền", "pl": "Zwroty płatności", "zh-hant": "退款", "zh-hans": "退款"},
        BILLING,
        parent="billing",
    ),
    CategorySpec(
        "billing/subscriptions",
        "Subscriptions",
        {"vi": "Gói thuê bao", "pl": "Subskrypcje", "zh-hant": "訂閱", "zh-hans": "订阅"},
        BILLING,
        parent="billing",
    ),
    CategorySpec(
        "orders",
        "Orders & shipping",
        {
            "vi": "Đơn hàng & giao hàng",
            "pl": "Zamówienia i wysyłka",
            "zh-hant": "訂單與配送",
            "zh-hans": "订单与配送",
        },
        SUPPORT,
    ),
    CategorySpec(
        "orders/delivery",
        "Delivery",
        {"vi": "Giao hàng", "pl": "Dostawa", "zh-hant": "送貨", "zh-hans": "送货"},
        SUPPORT,
        parent="orders",
    ),
    CategorySpec(
        "orders/returns",
        "Returns",
        {"vi": "Đổi trả", "pl": "Zwroty", "zh-hant": "退貨", "zh-hans": "退货"},
        SUPPORT,
        parent="orders",
    ),
    CategorySpec(
        "technical",
        "Technical",
        {"vi": "Kỹ thuật", "pl": "Wsparcie techniczne", "zh-hant": "技術支援", "zh-hans": "技术支持"},
        TECHNICAL,
    ),
    CategorySpec(
        "technical/bugs",
        "Bugs",
        {"vi": "Lỗi phần mềm", "pl": "Błędy", "zh-hant": "程式錯誤", "zh-hans": "程序错误"},
        TECHNICAL,
        parent="technical",
    ),
    CategorySpec(
        "technical/integrations",
        "Integrations",
        {"vi": "Tích hợp", "pl": "Integracje", "zh-hant": "整合", "zh-hans": "集成"},
        TECHNICAL,
        parent="technical",
    ),
    CategorySpec(
        "technical/devices",
        "Devices & warranty",
        {
            "vi": "Thiết bị & bảo hành",
            "pl": "Urządzenia i gwarancja",
            "zh-hant": "裝置與保固",
            "zh-hans": "设备与保修",
        },
        TECHNICAL,
        parent="technical",
    ),
    CategorySpec(
        "product",
        "Product questions",
        {
            "vi": "Câu hỏi về sản phẩm",
            "pl": "Pytania o produkty",
            "zh-hant": "產品諮詢",
            "zh-hans": "产品咨询",
        },
        SUPPORT,
    ),
)
CATEGORY_BY_KEY = {category.key: category for category in CATEGORIES}

WAITING_FOR_PARTS, ESCALATED = "waiting_for_parts", "escalated"


@dataclass(frozen=True)
class StatusLabelSpec:
    key: str
    name: str
    status: int
    translations: dict[str, str]


STATUS_LABELS: tuple[StatusLabelSpec, ...] = (
    StatusLabelSpec(
        WAITING_FOR_PARTS,
        "Waiting for parts",
        Status.ON_HOLD,
        {"vi": "Chờ linh kiện", "pl": "Oczekiwanie na części", "zh-hant": "等待零件", "zh-hans": "等待零件"},
    ),
    StatusLabelSpec(
        ESCALATED,
        "Escalated to engineering",
        Status.OPEN,
        {
            "vi": "Đã chuyển bộ phận kỹ thuật",
            "pl": "Przekazane inżynierom",
            "zh-hant": "已轉交工程團隊",
            "zh-hans": "已转交工程团队",
        },
    ),
)

# Device names are product names: the same in every language.
DEVICES: dict[str, float] = {
    "Hub Mini": 79.0,
    "Hub Pro": 149.0,
    "Thermostat T2": 199.0,
    "Doorbell Cam": 129.0,
    "Smart Plug": 29.0,
}
SUBSCRIPTION_PRICE = 9.99


@dataclass(frozen=True)
class FieldSpec:
    key: str
    name: str
    field_type: str
    translations: dict[str, str]
    options: tuple[str, ...] = ()
    visible_to_customers: bool = False
    editable_by_customers: bool = False


ORDER_NUMBER, DEVICE, WARRANTY, PURCHASE_DATE = "order_number", "device", "warranty", "purchase_date"

CUSTOM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        ORDER_NUMBER,
        "Order number",
        FieldType.TEXT,
        {"vi": "Mã đơn hàng", "pl": "Numer zamówienia", "zh-hant": "訂單編號", "zh-hans": "订单号"},
        visible_to_customers=True,
        editable_by_customers=True,
    ),
    FieldSpec(
        DEVICE,
        "Device",
        FieldType.DROPDOWN,
        {"vi": "Thiết bị", "pl": "Urządzenie", "zh-hant": "裝置", "zh-hans": "设备"},
        options=(*DEVICES, "Other"),
        visible_to_customers=True,
        editable_by_customers=True,
    ),
    FieldSpec(
        WARRANTY,
        "Under warranty",
        FieldType.CHECKBOX,
        {"vi": "Còn bảo hành", "pl": "Objęte gwarancją", "zh-hant": "保固期內", "zh-hans": "在保修期内"},
        visible_to_customers=True,
    ),
    FieldSpec(
        PURCHASE_DATE,
        "Purchase date",
        FieldType.DATE,
        {"vi": "Ngày mua", "pl": "Data zakupu", "zh-hant": "購買日期", "zh-hans": "购买日期"},
        visible_to_customers=True,
        editable_by_customers=True,
    ),
)
# The fields a customer fills in on the portal form (the others are the team's).
CUSTOMER_FIELDS = frozenset(f.key for f in CUSTOM_FIELDS if f.editable_by_customers)

# Tags the team adds on top of each scenario's own tags, now and then.
EXTRA_TAGS = ("vip", "repeat-contact", "social-media", "callback-requested", "needs-follow-up")
