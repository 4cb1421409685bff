"""Checks over the application model (see ARCHITECTURE.md)."""
