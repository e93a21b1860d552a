"""Orchestration: runs checkouts, recovery and callbacks against the adapters. Never imports Textual."""
