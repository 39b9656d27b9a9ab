"""Use cases that span packages, and the one table of reactions between them."""
