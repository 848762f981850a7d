"""A key a person pastes for one browser session: checked to look like a key, and masked in the
logs only while the session holds it (docs/key-redaction.md)."""

from __future__ import annotations

import re

from vision.errors import KeyFormatError
from vision.redaction import KeyHold, redact_while_held

# io.net's keys are "io-v2-" and a signed token of some 300 characters, OpenAI-style ones "sk-"
# and 48 or more. A pasted key is one unbroken run of the characters a bearer token may hold,
# letters and digits mixed, no shorter than this: a word or a phrase pasted by mistake would
# otherwise be masked in every line of the server's log.
MIN_PASTED_KEY_LENGTH = 20
MAX_PASTED_KEY_LENGTH = 4096
_KEY_SHAPE = re.compile(r"[A-Za-z0-9._~+/-]+=*")


def pasted_key(text: str) -> str:
    """A key a person pasted, trimmed; KeyFormatError with a sentence unless it looks like one."""
    key = text.strip()
    if (
        MIN_PASTED_KEY_LENGTH <= len(key) <= MAX_PASTED_KEY_LENGTH
        and _KEY_SHAPE.fullmatch(key)
        and any(c.isdigit() for c in key)
        and any(c.isalpha() for c in key)
    ):
        return key
    raise KeyFormatError(
        "That does not look like an API key, so it was not used: a key is one unbroken string "
        f"of at least {MIN_PASTED_KEY_LENGTH} characters that mixes letters and digits (- _ . "
        "are allowed; an IO Intelligence key starts with io-). Copy the whole key from your "
        "io.net account's API keys page and paste it again."
    )


class SessionKey:
    """The key pasted in one session ("" for none), masked in the logs from the paste until it
    is replaced, cleared or released, or the session's state is dropped with this object."""

    def __init__(self) -> None:
        self.value = ""
        self.problem = ""  # the sentence saying why the last paste was refused
        self._hold: KeyHold | None = None

    def paste(self, text: str) -> None:
        """Use this text as the session's key, or none if it is blank or not shaped like a key
        (then `problem` says why); the previous key is released either way."""
        self.release()
        self.problem = ""
        if not text.strip():
            return
        try:
            self.value = pasted_key(text)
        except KeyFormatError as error:
            self.problem = str(error)
            return
        self._hold = redact_while_held(self.value)

    def release(self) -> None:
        """Forget the key and stop masking it (unless something else still holds it)."""
        if self._hold is not None:
            self._hold.release()
            self._hold = None
        self.value = ""
