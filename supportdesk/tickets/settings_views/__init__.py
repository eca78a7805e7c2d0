"""Administrators' pages for the ticket taxonomy (mounted at /desk/settings/ by urls_settings).

They share the settings layout and helpers of `supportdesk.accounts.views.common`."""
