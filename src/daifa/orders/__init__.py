"""Shop orders (订单): ingestion from the API, batches and files, and manual assignment."""
