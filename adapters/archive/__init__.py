"""The event archive: one object per contact event id and version (replay rebuilds the CRM from it)."""
