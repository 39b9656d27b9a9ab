"""The outbox and job table, claimed by `daifa worker`."""
