"""Dispatch orders (代发单): the part of a shop order one supplier ships."""
