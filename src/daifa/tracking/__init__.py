"""Parcel tracking (物流跟踪): signed inbound webhooks from tracking providers, raw event storage,
de-duplication, out-of-order merging onto shipments, delivered → completed dispatch orders, and
the sandbox provider that keeps the demo's parcels moving."""
