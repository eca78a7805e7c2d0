"""The REST API v1: one NinjaAPI instance that wires the routers each app defines in its api
module, with our authentication and error format. Nothing else lives here."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from supportdesk.accounts import api as accounts_api
from supportdesk.api.auth import SessionAuth, TokenAuth
from supportdesk.api.errors import install_error_handlers
from supportdesk.customers import api as customers_api
from supportdesk.tickets import api as tickets_api

DESCRIPTION = """\
The supportdesk REST API for staff members and their scripts.

Authenticate with a personal API token (`Authorization: Bearer sdk_…`) or, from a browser,
with your signed-in session (unsafe methods then need the `X-CSRFToken` header). Every error
is `{"code", "message", "details"}`; lists are paginated with an opaque `cursor`.
See docs/api.md in the source for a guide with examples.
"""

api = NinjaAPI(
    title="supportdesk API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    # Served from ninja's bundled static files ("ninja" is an installed app), never a CDN;
    # the validator badge would call validator.swagger.io, so it is switched off.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
install_error_handlers(api)

api.add_router("/me", accounts_api.me_router)
api.add_router("/agents", accounts_api.agents_router)
api.add_router("/groups", accounts_api.groups_router)
api.add_router("/customers", customers_api.customers_router)
api.add_router("/organizations", customers_api.organizations_router)
api.add_router("/tickets", tickets_api.tickets_router)
api.add_router("/tickets", tickets_api.messages_router)
api.add_router("/categories", tickets_api.categories_router)
api.add_router("/tags", tickets_api.tags_router)
api.add_router("/custom-fields", tickets_api.custom_fields_router)
api.add_router("/priorities", tickets_api.priorities_router)
api.add_router("/status-labels", tickets_api.status_labels_router)
