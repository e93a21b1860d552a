"""The people file: managers and cashiers with salted scrypt hashes of their PINs (mode 0600)."""

from pos.people.pins import hash_pin, pin_matches
from pos.people.store import PeopleFile, PeopleFileError, Person

__all__ = ["PeopleFile", "PeopleFileError", "Person", "hash_pin", "pin_matches"]
