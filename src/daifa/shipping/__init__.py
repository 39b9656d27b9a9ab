"""Shipments (发货): carriers, tracking numbers, tracking events, shipping spreadsheets, labels and
webhook signatures. The modules here are pure: no database, no HTTP."""
