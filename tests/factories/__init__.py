"""Reusable test-data factories (images, ...)."""
