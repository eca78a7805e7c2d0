"""Agent-side account pages, mounted at /desk/. The settings pages of this app sit beside the
ticket taxonomy's (tickets.urls_settings, mounted at /desk/settings/) without sharing a path."""

from django.urls import path

from supportdesk.accounts.views import agents, audit, groups, profile, settings_index

app_name = "accounts"
urlpatterns = [
    path("settings/", settings_index.settings_index, name="settings"),
    path("settings/agents/", agents.agent_list, name="agents"),
    path("settings/agents/new/", agents.agent_create, name="agent_create"),
    path("settings/agents/<int:user_id>/", agents.agent_edit, name="agent_edit"),
    path("settings/agents/<int:user_id>/invite/", agents.agent_invite, name="agent_invite"),
    path("settings/groups/", groups.group_list, name="groups"),
    path("settings/groups/new/", groups.group_create, name="group_create"),
    path("settings/groups/<int:group_id>/", groups.group_edit, name="group_edit"),
    path("settings/groups/<int:group_id>/delete/", groups.group_remove, name="group_delete"),
    path("settings/audit/", audit.audit_log, name="audit"),
    path("profile/", profile.profile, name="profile"),
    path("profile/password/", profile.password_change, name="password_change"),
    path("profile/tokens/new/", profile.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", profile.token_revoke, name="token_revoke"),
]
