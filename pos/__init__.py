"""The till: a point-of-sale terminal for Icelandic counters that takes Netgíró payments."""

__version__ = "0.1.0"
