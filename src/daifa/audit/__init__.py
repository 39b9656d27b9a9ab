"""The audit trail: one event row per state change, with actor, time and reason."""
