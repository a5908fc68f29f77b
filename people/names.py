"""Name keys for search: a normalised form for exact matches and a phonetic key for near misses.

The phonetic key is a Soundex variant over each word, so "Jaiden Kowalsky" meets "Jayden
Kowalski". Candidates are then ranked by string similarity, which catches typos Soundex misses.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z ]+", "", re.sub(r"[-'’.]", " ", ascii_only.lower())).strip()


def soundex(word: str) -> str:
    if not word:
        return ""
    first, digits, previous = word[0].upper(), [], _CODES.get(word[0], "")
    for char in word[1:]:
        code = _CODES.get(char, "")
        if code and code != previous:
            digits.append(code)
        if char not in "hw":
            previous = code
    return (first + "".join(digits) + "000")[:4]


def name_keys(name: str) -> tuple[str, str]:
    words = normalise(name).split()
    return " ".join(words), " ".join(soundex(w) for w in words)


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, normalise(a), normalise(b)).ratio()
