# ruff: noqa: RUF002 - natural-language text: its punctuation is meant.
"""English demo conversations.

Placeholders: {first} {name} {surname} (the customer), {agent}, {order}, {amount}, {date},
{device}, {invoice}, {last4}, {tracking}. «his|her» picks a word by the writer's gender and
‹his|her› by the reader's (English rarely needs either).
"""

from __future__ import annotations

from datetime import date

LANGUAGE = "en"
GREETING = "Hi {first},"
AGENT_SIGNOFF = "Best regards,\n{agent}\nBrightleaf Support"
CUSTOMER_SIGNOFFS = ("Thanks,\n{first}", "Best,\n{name}", "Cheers,\n{first}", "Kind regards,\n{name}")

COMMON: dict[str, tuple[str, ...]] = {
    "nudge": (
        "Any news on this?",
        "Just following up on my request. Is there an update?",
        "I'm still waiting for an answer, could you check please?",
    ),
    "ask_more": (
        "Could you send me a screenshot of the error message? It will help us find the cause faster.",
        "Could you confirm the email address or order number you used, so I can find the right account?",
    ),
    "more_info": (
        "Here you go, I've described it above as well. Let me know if you need anything else.",
        "Sure, it's the same order number as in my first message.",
    ),
    "holding": (
        "Thanks, I've passed this on to the team responsible and will get back to you as soon as I "
        "hear from them.",
    ),
    "hold_note": ("Waiting for a third party to respond; set on hold.",),
    "escalation_note": ("Escalated to engineering with logs and steps to reproduce.",),
    "share_note": ("Joanna, could you confirm the refund in the finance system?",),
    "collab_note": ("Checked in the finance system: the refund went out today.",),
    "duplicate": (
        "I already wrote to you about this through another channel but haven't heard back. "
        "Please see my earlier message.",
    ),
}

SCENARIOS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "password_reset": {
        "subjects": ("Can't reset my password", "Password reset email never arrives"),
        "opening": "Hi, I've tried to reset my password three times today but the reset email never "
        "shows up. I checked my spam folder as well. My account is under this email address. Can you "
        "help me get back in?",
        "reply": "Thanks for reaching out. I can see three reset requests on your account today, and "
        "our mail log shows they were sent but deferred by your mail provider. I've just sent you a "
        "fresh link; it is valid for 60 minutes. If it still doesn't arrive within 10 minutes, let me "
        "know and I'll set a temporary password for you instead.",
        "followup": "The new link arrived this time and I was able to set a new password. Everything "
        "works now, thank you!",
        "closing": "Great to hear you're back in. For the future, adding our sender address to your "
        "contacts helps these emails arrive quickly. I'll close this request now; just reply if "
        "anything else comes up.",
        "note": "Mail log shows 451 deferrals from the customer's provider. Resent the link manually.",
    },
    "two_factor": {
        "subjects": ("Lost my phone, can't sign in (two-factor)", "Two-factor codes not accepted"),
        "opening": "My phone was stolen on {date} and the authenticator app with it, so I can't get "
        "the two-factor code to sign in. I don't have the backup codes either. How can I get back "
        "into my account?",
        "reply": "I'm sorry about your phone. To protect your account we need to verify your identity "
        "before turning off two-factor authentication. Could you reply with the order number of your "
        "most recent purchase and the last four digits of the card you paid with?",
        "followup": "Sure: my last order was {order}, paid with the card ending in {last4}.",
        "closing": "Thank you, that matches our records. I've switched off two-factor authentication "
        "on your account, so you can sign in with your password now. Please turn it back on under "
        "Settings > Security as soon as you have a new phone, and keep the new backup codes somewhere "
        "safe.",
        "note": "Identity verified with the last order and card digits. 2FA reset.",
    },
    "change_email": {
        "subjects": ("Please change the email address on my account", "Update my sign-in email"),
        "opening": "Hello, I've changed jobs and will lose access to this mailbox at the end of the "
        "month. Could you move my account to my new personal address? I can confirm from both "
        "addresses if needed.",
        "reply": "Of course. For your security we send a confirmation link to the new address before "
        "the change takes effect. Please reply with the new address and click the link when it "
        "arrives; your order history and devices stay exactly as they are.",
        "followup": "The new address is in my signature below. I've just clicked the confirmation link.",
        "closing": "Thanks, the change is confirmed and your account now signs in with the new address. "
        "The old address won't receive anything from us any more. Good luck in the new job!",
        "note": "Confirmed ownership of both addresses before switching.",
    },
    "double_charge": {
        "subjects": ("Charged twice for order {order}", "Double payment on my card"),
        "opening": "I placed order {order} on {date} and my bank statement shows two charges of "
        "{amount} each. I only ordered once. Please refund the second charge.",
        "reply": "I'm sorry about that. I've checked order {order}: the payment provider captured the "
        "amount twice after a timeout during checkout. I've just refunded the duplicate charge of "
        "{amount}. Depending on your bank it takes 3 to 5 business days to show on your statement.",
        "followup": "Thank you. I can already see the refund as pending in my banking app.",
        "closing": "Perfect, then it's on its way. We've also reported the timeout to our payment "
        "provider so it doesn't happen again. Sorry again for the trouble.",
        "note": "Duplicate capture confirmed in the payment dashboard; refunded the second capture.",
    },
    "refund_request": {
        "subjects": ("Refund for my returned {device}", "When will I get my refund?"),
        "opening": "I sent back the {device} from order {order} two weeks ago, and the tracking says "
        "it was delivered to your warehouse on {date}. I haven't received my refund of {amount} yet. "
        "Could you check?",
        "reply": "Thanks for your patience. Your return reached our warehouse on {date} and passed "
        "inspection yesterday. I've released the refund of {amount} to your original payment method "
        "today; you'll receive a confirmation email shortly.",
        "followup": "I got the confirmation email. How long until the money is back on my card?",
        "closing": "Card refunds usually show up within 3 to 5 business days, with some banks up to "
        "10. If you don't see it by then, reply here and I'll send you the payment reference for your "
        "bank.",
        "note": "Return inspected, no damage; refund released.",
    },
    "invoice_address": {
        "subjects": ("Wrong company address on invoice", "Please correct invoice {invoice}"),
        "opening": "Invoice {invoice} for order {order} shows our old office address and is missing "
        "our VAT number. Our accounts department can't book it like this. Could you issue a corrected "
        "invoice?",
        "reply": "Certainly. Please send me the billing address and VAT number exactly as they should "
        "appear, and I'll issue a corrected invoice that replaces {invoice}.",
        "followup": "Thanks. Please use the address in my signature below; our VAT number is right under it.",
        "closing": "Done: the corrected invoice is in your account under Orders > Invoices and "
        "replaces {invoice}. I've also emailed you a copy. Let me know if your accountants need "
        "anything else.",
        "note": "Corrected invoice issued; the old one is cancelled in the billing system.",
    },
    "cancel_subscription": {
        "subjects": ("Cancel my Brightleaf Plus subscription", "How do I stop the monthly payment?"),
        "opening": "Please cancel my Brightleaf Plus subscription. I no longer use the cloud video "
        "history and I don't want to be charged {amount} again next month.",
        "reply": "I can help with that. Before I cancel: your plan renews on {date}, and if you cancel "
        "now you keep every feature until then. Would you like me to cancel at the end of the period, "
        "or would a cheaper plan with 7 days of history suit you better?",
        "followup": "Cancel at the end of the period, please. I don't need the cheaper plan.",
        "closing": "Done. Your subscription ends on {date} and you won't be charged again. Your "
        "devices keep working without it; only the cloud video history stops. Thanks for being with "
        "us, and you're welcome back any time.",
        "note": "Customer declined the retention offer. Cancelled at the end of the period.",
    },
    "payment_declined": {
        "subjects": ("Payment declined at checkout", "My card keeps getting rejected"),
        "opening": 'I\'m trying to pay for my order but the checkout keeps saying "payment declined". '
        "My bank says there's nothing wrong with the card ending in {last4}. What's going on?",
        "reply": "Thanks for the details. Our payment log shows your bank asked for a 3-D Secure "
        "confirmation, but the confirmation window was closed before it finished, so the payment was "
        "declined. Could you try again and approve the payment in your banking app when it asks? "
        "Pop-up blockers sometimes hide that window.",
        "followup": "That was it, the approval window was hidden behind another one. The payment went "
        "through now.",
        "closing": "Great, I can see the order confirmed on our side as well. Thanks for letting us "
        "know, and enjoy your new device!",
        "note": "3DS challenge abandoned (timeout). Not a card problem.",
    },
    "late_delivery": {
        "subjects": ("Order {order} hasn't arrived", "Where is my package?"),
        "opening": "My order {order} was supposed to arrive on {date}, but it still hasn't come and "
        "the tracking hasn't changed for four days. Can you find out where it is?",
        "reply": "I'm sorry for the wait. I've contacted the carrier: the parcel (tracking number "
        "{tracking}) was held at their sorting centre because of a damaged label. They've relabelled "
        "it and it's out for delivery again; the new estimate is within two working days.",
        "followup": 'Still nothing today, and the tracking page now says "exception". Should I be worried?',
        "closing": "I've checked again and the carrier confirms the parcel was delivered to your "
        "parcel locker this morning. If it isn't there, let me know and I'll send a replacement right "
        "away.",
        "note": "Opened a trace with the carrier; the reference is on the order.",
    },
    "damaged_package": {
        "subjects": ("Package arrived damaged", "{device} broken on arrival"),
        "opening": "The box with my {device} (order {order}) arrived crushed and the device doesn't "
        "switch on. I've kept all the packaging. What should I do?",
        "reply": "I'm really sorry it arrived like that. You don't need to send anything back first: "
        "I've created a replacement order and it ships today. The courier will collect the damaged "
        "one when delivering the new one, so please keep the packaging ready.",
        "followup": "The replacement arrived and works perfectly. The courier took the broken one.",
        "closing": "Thanks for confirming. I've closed the damage claim with the carrier on our side. "
        "Enjoy your {device}!",
        "note": "Replacement shipped free of charge; damage claim filed with the carrier.",
    },
    "wrong_item": {
        "subjects": ("Received the wrong item", "Ordered a {device}, got something else"),
        "opening": "I ordered the {device} (order {order}) but the package contained a different "
        "model. I need the {device} before the weekend if possible.",
        "reply": "Apologies for the mix-up. I've sent the correct {device} by express delivery today, "
        "tracking number {tracking}. You'll get a prepaid return label by email for the item you "
        "received; there's no rush to send it back.",
        "followup": "The {device} arrived this morning, thanks. I'll drop off the other box at the "
        "post office this week.",
        "closing": "Wonderful. Once the return scan shows up I'll close the return on our side; you "
        "don't need to do anything else.",
        "note": "Picking error at the warehouse; reported to logistics.",
    },
    "return_request": {
        "subjects": ("How do I return my {device}?", "Return within 30 days"),
        "opening": "I bought a {device} on {date} and it doesn't fit my setup at home. It's unused and "
        "in the original box. How can I return it?",
        "reply": "No problem, you're within the 30-day return period. I've emailed you a prepaid "
        "return label: print it, stick it on the box and drop it off at any post office. The refund "
        "is issued as soon as the parcel reaches our warehouse.",
        "followup": "I've sent it off today. Thanks for making it easy.",
        "closing": "Thank you! I'll keep an eye on the return, and your refund of {amount} will follow "
        "automatically once it arrives.",
        "note": "RMA and return label created.",
    },
    "change_shipping_address": {
        "subjects": ("Change the delivery address for order {order}", "Wrong shipping address"),
        "opening": "I just noticed I put my old address on order {order}. Can you change it to my new "
        "address before it ships? It's in my signature.",
        "reply": "Good timing: the order hasn't left the warehouse yet. I've updated the delivery "
        "address and the order will ship tomorrow. You'll receive the tracking link by email.",
        "followup": "Thank you so much, that saves me a lot of trouble.",
        "closing": "My pleasure. Everything is set for the new address. Have a nice day!",
        "note": "Address changed before picking; warehouse informed.",
    },
    "broken_device": {
        "subjects": ("{device} stopped working", "{device} won't turn on any more"),
        "opening": "My {device} stopped working yesterday. The light blinks red three times and then "
        "it turns off. I've tried another power adapter and a reset, nothing helps. I bought it on "
        "{date}.",
        "reply": "Thanks for the troubleshooting so far; three red blinks mean the power board has "
        "failed. Your device is still under warranty, so we'll repair or replace it free of charge. "
        "I've requested a replacement board from our repair centre and will update you as soon as it "
        "ships.",
        "followup": "Thanks. Any news on the repair? I'm missing my {device}.",
        "closing": "Good news: the part arrived and your repaired {device} was shipped today, tracking "
        "number {tracking}. Your settings will be restored from the cloud when you sign in again.",
        "note": "Waiting for a power board from the repair centre.",
    },
    "app_crash": {
        "subjects": ("App crashes after the latest update", "Brightleaf app closes as soon as it opens"),
        "opening": "Since the app updated yesterday it crashes as soon as I open it. I've restarted my "
        "phone and reinstalled the app, but it still closes after the splash screen.",
        "reply": "Thank you for reporting this. We've had several reports of this crash on phones with "
        "the latest system update, and our engineers are working on a fix. In the meantime you can "
        "sign in to the web dashboard to control your devices. I'll update you as soon as the fixed "
        "version is available.",
        "followup": "OK, the web dashboard works for now. Please let me know when the fix is out.",
        "closing": "The fixed version 4.12.1 is now in the app store. Please update the app and it "
        "should start normally again. Thanks for your patience and for the detailed report.",
        "note": "Known issue, linked to the engineering bug for the startup crash.",
    },
    "device_pairing": {
        "subjects": ("{device} won't pair with the app", "Can't add my {device} to my home"),
        "opening": "I'm trying to add a new {device} in the app but pairing always fails at 80% with "
        '"device not found". My other devices work fine.',
        "reply": "Let's get it connected. Please make sure your phone is on the 2.4 GHz Wi-Fi network "
        "(the device can't join 5 GHz networks), keep it within 2 metres of the device, and hold the "
        "button for ten seconds until the light blinks blue before you start pairing again.",
        "followup": "Switching my phone to the 2.4 GHz network did it. The {device} shows up in the app now.",
        "closing": "Excellent! Many routers use the same name for both networks, which makes this "
        "easy to miss. Enjoy the new device.",
        "note": "The usual 5 GHz issue; sent the pairing article.",
    },
    "api_error": {
        "subjects": ("API returns 500 errors on /v2/devices", "Intermittent 500 errors from the API"),
        "opening": "Since about 09:00 UTC today roughly one in five requests from our backend to the "
        "devices endpoint fails with HTTP 500. Nothing changed on our side. This is affecting our "
        "customers' dashboards.",
        "reply": "Thank you for the report and the timestamps. We've confirmed elevated error rates on "
        "one of our API nodes and have taken it out of rotation. Error rates should be back to normal "
        "now; could you confirm from your side?",
        "followup": "Confirmed, no errors in the last hour. Can you tell us what happened?",
        "closing": "A configuration change on one API node exhausted its database connection pool. "
        "We've reverted it and added an alert for it. We're sorry for the disruption; a summary will "
        "also be published on our status page.",
        "note": "Matches this morning's API node incident.",
    },
    "webhook_failing": {
        "subjects": ("Webhooks stopped arriving", "Webhook deliveries failing with timeouts"),
        "opening": "Our endpoint hasn't received any webhook events since {date}. In the developer "
        "console the deliveries show as failed with a timeout. Our server is up and reachable.",
        "reply": "I've looked at the delivery log for your endpoint: our requests time out after "
        "waiting 10 seconds for a response. Your endpoint needs to answer with a 2xx status within "
        "that time; if processing takes longer, please acknowledge first and process the event in the "
        "background. Failed events are retried for 72 hours.",
        "followup": "We moved the processing to a background job and deliveries are succeeding again. "
        "Will the missed events be sent?",
        "closing": "Yes: I've triggered a redelivery of all failed events since {date}, and they're "
        "arriving at your endpoint now. Everything looks healthy on our side.",
        "note": "Endpoint p95 response time about 14 s; advised asynchronous processing.",
    },
    "product_compatibility": {
        "subjects": ("Does the {device} work with my Zigbee bulbs?", "Compatibility question before buying"),
        "opening": "I'm thinking of buying the {device}. Will it work with the Zigbee smart bulbs I "
        "already have? They're from another brand and about three years old.",
        "reply": "Good question! The {device} works with most Zigbee 3.0 bulbs, including those of the "
        "big brands. If you tell me the brand and model of your bulbs, I can check them against our "
        "compatibility list.",
        "followup": "The box says Zigbee 3.0. Sounds like they'll work.",
        "closing": "Yes, Zigbee 3.0 bulbs are fully supported; you can add them in the app under Add "
        "device > Other brands. If you order this week, shipping is free.",
        "note": "Pre-sales question; likely to order soon.",
    },
    "feature_request": {
        "subjects": ("Feature request: vacation mode", "Could you add a vacation mode?"),
        "opening": "I love the app, but I'm missing a vacation mode that turns the lights on and off "
        "at random times while I'm away. Is something like that planned?",
        "reply": "Thank you for the suggestion! There's no vacation mode yet, but you can get close "
        "with two schedules that switch your plugs at different times each day. I've passed your idea "
        "to our product team; it's one of the most requested features.",
        "followup": "Thanks, I'll set up the schedules for now. Please let me know if it ever gets built.",
        "closing": "Will do. I've linked your request to the feature, so you'll hear from us when it "
        "ships. Thanks for helping us improve Brightleaf!",
        "note": "Added a vote to the vacation mode feature request.",
    },
}

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(day: date, *, year: bool = False) -> str:
    text = f"{_MONTHS[day.month - 1]} {day.day}"
    return f"{text}, {day.year}" if year else text


def format_amount(usd: float) -> str:
    return f"${usd:,.2f}"
