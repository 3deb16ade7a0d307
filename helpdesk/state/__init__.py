"""Reflex state classes: thin, they ask services and hold only what a page shows."""
