"""Agent-side account pages: the settings area for administrators (agents, groups, audit log)
and every staff member's own profile with API tokens. Sign-in lives in `views_auth`."""
