"""The email channel's pages for administrators, mounted at /desk/settings/email/: mailboxes,
the quarantine and recent mail, and which notification emails go out."""
