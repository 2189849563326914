"""How the demo's made-up SIRENs were made: eight digits and their Luhn key.

``data/organizations.json`` holds the finished identifiers; these helpers are what produced the
companies' ones (and what a new made-up company should use).
"""

from __future__ import annotations


def luhn_check_digit(base: str) -> str:
    """The digit that makes ``base`` + digit pass the Luhn check (the SIREN key)."""
    total = 0
    for position, char in enumerate(reversed(base)):
        digit = int(char)
        if position % 2 == 0:  # these digits are in odd positions once the key is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def siren(base: str) -> str:
    """A 9-digit SIREN from its first 8 digits, with its Luhn key."""
    if not (base.isdigit() and len(base) == 8):
        raise ValueError(f"a SIREN base is 8 digits, got {base!r}")
    return base + luhn_check_digit(base)
