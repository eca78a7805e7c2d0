"""The demo desk's content: the company, its people, and conversations in five languages."""

from __future__ import annotations

from types import ModuleType

from supportdesk.demo.data import lang_en, lang_pl, lang_vi, lang_zh_hans, lang_zh_hant

# Ticket language code → the module with that language's conversations.
LANGUAGES: dict[str, ModuleType] = {
    module.LANGUAGE: module for module in (lang_en, lang_vi, lang_pl, lang_zh_hans, lang_zh_hant)
}
