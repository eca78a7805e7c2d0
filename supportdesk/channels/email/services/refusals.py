"""Why a message could not be read, in words an administrator reads in the quarantine.

The parser is plain Python and says it in English with a code; the desk says it in the site's
language, like every other quarantine reason (written when the message is processed)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from supportdesk.channels.email.parsing import MailParseError


def parse_refusal(error: MailParseError) -> str:
    texts = {
        "empty": _("The message is empty."),
        "no_sender": _("The message has no sender address."),
        "not_email": _("The data is not an email message: it has no header lines."),
        "not_bytes": _("The message is not raw bytes."),
    }
    if error.code == "too_large":
        return _("The message is larger than the limit of %(limit)d bytes (%(size)d bytes).") % {
            "limit": error.params.get("limit", 0),
            "size": error.params.get("size", 0),
        }
    return texts.get(error.code) or str(error) or _("The message cannot be read.")
