"""Services of the email channel: intake (store, process, quarantine) and outbound (send, bounces)."""
