"""Inbound and outbound channels. A plain package, not a Django app: the `channels` label
belongs to Django Channels. Each channel below is an app of its own (label `channel_<name>`)."""
