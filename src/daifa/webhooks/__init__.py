"""Outbound webhooks (出站 Webhook): endpoints that shops and suppliers register, the outbox of
deliveries written in the caller's transaction, signed POSTs with retries, and the delivery log."""
