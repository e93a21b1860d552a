"""The till screen (Textual): what cashiers touch all day. Only ``pos.cli`` imports it."""
