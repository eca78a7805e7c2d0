"""The support situations the demo conversations are about: what kind of ticket each one is.

The words live in one module per language (`lang_*.py`), keyed by the scenario's `key`.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.demo.data.company import (
    DEVICE,
    DEVICES,
    ORDER_NUMBER,
    PURCHASE_DATE,
    WARRANTY,
)
from supportdesk.tickets.choices import TicketType

LOW, NORMAL, HIGH, URGENT = 1, 2, 3, 4
ALL_DEVICES = tuple(DEVICES)
HUBS = ("Hub Mini", "Hub Pro")


@dataclass(frozen=True)
class Scenario:
    key: str
    category: str  # a key of company.CATEGORIES
    ticket_type: int
    priority: int
    tags: tuple[str, ...]
    weight: float
    # Which devices the story can be about (empty: none is named).
    devices: tuple[str, ...] = ()
    # Days from the ticket's creation to the date the story mentions ({date}), as a range.
    date_days: tuple[int, int] | None = None
    # What {amount} is the price of: "device", "subscription" or nothing.
    amount: str = ""
    fields: tuple[str, ...] = ()
    # On hold means "Waiting for parts" for this story; open means "Escalated to engineering".
    waits_for_parts: bool = False
    escalates: bool = False
    # Finance (the collaborator) is asked to confirm money matters on some of these tickets.
    involves_finance: bool = False
    # Businesses write these much more than private customers do.
    business: bool = False


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("password_reset", "account", TicketType.QUESTION, NORMAL, ("password", "sign-in"), 8),
    Scenario("two_factor", "account", TicketType.INCIDENT, HIGH, ("2fa", "sign-in"), 4, date_days=(-4, -1)),
    Scenario("change_email", "account", TicketType.TASK, LOW, ("account", "email-change"), 3),
    Scenario(
        "double_charge",
        "billing/refunds",
        TicketType.INCIDENT,
        HIGH,
        ("billing", "double-charge"),
        5,
        devices=ALL_DEVICES,
        date_days=(-6, -1),
        amount="device",
        fields=(ORDER_NUMBER,),
        involves_finance=True,
    ),
    Scenario(
        "refund_request",
        "billing/refunds",
        TicketType.QUESTION,
        NORMAL,
        ("refund",),
        6,
        devices=ALL_DEVICES,
        date_days=(-8, -3),
        amount="device",
        fields=(ORDER_NUMBER, DEVICE),
        involves_finance=True,
    ),
    Scenario(
        "invoice_address",
        "billing/invoices",
        TicketType.TASK,
        NORMAL,
        ("invoice",),
        4,
        fields=(ORDER_NUMBER,),
        business=True,
    ),
    Scenario(
        "cancel_subscription",
        "billing/subscriptions",
        TicketType.TASK,
        NORMAL,
        ("subscription", "cancellation"),
        5,
        date_days=(4, 25),
        amount="subscription",
    ),
    Scenario("payment_declined", "billing", TicketType.INCIDENT, HIGH, ("payment", "checkout"), 4),
    Scenario(
        "late_delivery",
        "orders/delivery",
        TicketType.INCIDENT,
        NORMAL,
        ("delivery", "delay"),
        9,
        date_days=(-6, -3),
        fields=(ORDER_NUMBER,),
    ),
    Scenario(
        "damaged_package",
        "orders/delivery",
        TicketType.INCIDENT,
        HIGH,
        ("delivery", "damaged"),
        4,
        devices=ALL_DEVICES,
        fields=(ORDER_NUMBER, DEVICE),
    ),
    Scenario(
        "wrong_item",
        "orders/returns",
        TicketType.INCIDENT,
        NORMAL,
        ("returns", "wrong-item"),
        4,
        devices=ALL_DEVICES,
        fields=(ORDER_NUMBER, DEVICE),
    ),
    Scenario(
        "return_request",
        "orders/returns",
        TicketType.QUESTION,
        LOW,
        ("returns",),
        6,
        devices=ALL_DEVICES,
        date_days=(-25, -5),
        amount="device",
        fields=(ORDER_NUMBER, DEVICE, PURCHASE_DATE),
    ),
    Scenario(
        "change_shipping_address",
        "orders/delivery",
        TicketType.TASK,
        HIGH,
        ("delivery", "address-change"),
        4,
        fields=(ORDER_NUMBER,),
    ),
    Scenario(
        "broken_device",
        "technical/devices",
        TicketType.PROBLEM,
        HIGH,
        ("warranty", "hardware"),
        6,
        devices=ALL_DEVICES,
        date_days=(-420, -30),
        fields=(DEVICE, PURCHASE_DATE, WARRANTY),
        waits_for_parts=True,
    ),
    Scenario("app_crash", "technical/bugs", TicketType.PROBLEM, HIGH, ("app", "crash"), 5, escalates=True),
    Scenario(
        "device_pairing",
        "technical/bugs",
        TicketType.QUESTION,
        NORMAL,
        ("pairing", "wifi"),
        6,
        devices=ALL_DEVICES,
        fields=(DEVICE,),
    ),
    Scenario(
        "api_error",
        "technical/integrations",
        TicketType.INCIDENT,
        URGENT,
        ("api", "integration"),
        3,
        escalates=True,
        business=True,
    ),
    Scenario(
        "webhook_failing",
        "technical/integrations",
        TicketType.PROBLEM,
        HIGH,
        ("webhooks", "integration"),
        3,
        date_days=(-4, -1),
        escalates=True,
        business=True,
    ),
    Scenario(
        "product_compatibility",
        "product",
        TicketType.QUESTION,
        LOW,
        ("pre-sales", "compatibility"),
        5,
        devices=HUBS,
        fields=(DEVICE,),
    ),
    Scenario("feature_request", "product", TicketType.QUESTION, LOW, ("feature-request",), 3),
)
SCENARIO_BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}

# The parts every scenario has in every language.
SCENARIO_PARTS = ("subjects", "opening", "reply", "followup", "closing", "note")
# The parts every language has besides its scenarios.
COMMON_PARTS = (
    "nudge",
    "ask_more",
    "more_info",
    "holding",
    "hold_note",
    "escalation_note",
    "share_note",
    "collab_note",
    "duplicate",
)
