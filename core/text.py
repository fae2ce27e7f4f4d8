"""Text from the inventory or the user, made safe to print on one line of a terminal or a CI log."""

import unicodedata

_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format and unassigned, line separators


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with every control, format or line-separator character shown as an escape (ESC → \\x1b).

    Letters with diacritics (Vietnamese names) stay as they are; nothing can move the cursor,
    start a terminal escape sequence or begin a new line.
    """
    return "".join(_escape(ch) if unicodedata.category(ch) in _HIDDEN else ch for ch in text)
