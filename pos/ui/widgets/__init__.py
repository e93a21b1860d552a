"""Widgets of the till screen: each renders what it is given and posts what it was told."""
