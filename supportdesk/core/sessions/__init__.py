"""Session engines (settings.SESSION_ENGINE names a module with a SessionStore class)."""
