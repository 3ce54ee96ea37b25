"""The deals API: registrations, co-selling, leads and imports, for staff, partner users and API keys."""
