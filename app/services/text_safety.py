"""Bounding and cleaning of user-written text before it is stored or processed.

Text is stored as written (minus control characters) and always rendered as plain text or escaped
Markdown by the UI; this module only enforces limits and strips characters that have no place in a
conversation.
"""

from __future__ import annotations

import re
import unicodedata

from app.services.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_message(text: str, max_chars: int) -> str:
    """Normalise, strip control characters and bound a message; raise InvalidInput if unusable."""
    if not isinstance(text, str):
        raise InvalidInput("A message must be text.")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("Write something before sending.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"That message is {len(text)} characters long; the limit is {max_chars}. "
            "Shorter turns make better coaching anyway."
        )
    return text
