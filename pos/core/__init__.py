"""The pure domain: money, customer ids, result codes, the checkout state machine. No I/O here."""
