"""Console routes, one module per area; thin adapters over the domain services."""
