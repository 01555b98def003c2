"""Control read models: the action tracker, huddles, escalation levels and escalations."""
