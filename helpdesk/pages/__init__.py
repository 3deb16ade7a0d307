"""Reflex pages, grouped by audience."""
