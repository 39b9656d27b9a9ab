"""Shops: a merchant's storefronts on a sales channel."""
