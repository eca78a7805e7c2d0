"""supportdesk: a self-hosted customer service platform."""
