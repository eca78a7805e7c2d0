"""Administrators' pages for the ticket taxonomy, mounted at /desk/settings/. The settings index,
agents, groups and the audit log live in accounts.urls under the same prefix."""

from django.urls import path

from supportdesk.tickets.settings_views import categories, fields, priorities, statuses, tags

app_name = "taxonomy"
urlpatterns = [
    path("categories/", categories.category_list, name="categories"),
    path("categories/new/", categories.category_create, name="category_create"),
    path("categories/<int:category_id>/", categories.category_edit, name="category_edit"),
    path("categories/<int:category_id>/delete/", categories.category_remove, name="category_delete"),
    path("statuses/", statuses.status_list, name="statuses"),
    path("statuses/new/", statuses.status_create, name="status_create"),
    path("statuses/<int:label_id>/", statuses.status_edit, name="status_edit"),
    path("statuses/<int:label_id>/delete/", statuses.status_remove, name="status_delete"),
    path("priorities/", priorities.priority_list, name="priorities"),
    path("priorities/new/", priorities.priority_create, name="priority_create"),
    path("priorities/<int:priority_id>/", priorities.priority_edit, name="priority_edit"),
    path("priorities/<int:priority_id>/delete/", priorities.priority_remove, name="priority_delete"),
    path("tags/", tags.tag_list, name="tags"),
    path("tags/new/", tags.tag_create, name="tag_create"),
    path("tags/<int:tag_id>/", tags.tag_edit, name="tag_edit"),
    path("tags/<int:tag_id>/delete/", tags.tag_remove, name="tag_delete"),
    path("fields/", fields.field_list, name="fields"),
    path("fields/new/", fields.field_create, name="field_create"),
    path("fields/<int:field_id>/", fields.field_edit, name="field_edit"),
    path("fields/<int:field_id>/delete/", fields.field_remove, name="field_delete"),
]
