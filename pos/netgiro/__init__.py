"""Netgíró checkout API v1: signing, typed answers, an async client, and an embedded sandbox."""
