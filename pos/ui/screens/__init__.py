"""The till's screens: sale, payment, cash, help and the small dialogs."""
