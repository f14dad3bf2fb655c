"""Checks for uploaded attachments. Each app keeps its own rules (which types, how large) and its own
messages; these are the mechanics they share: the file's name and extension, and whether its first bytes
are what that extension promises (so a renamed .exe is not accepted as a .pdf)."""

from __future__ import annotations

import codecs

TEXT_SAMPLE_BYTES = 4096


def upload_name(upload) -> tuple[str, str]:
    """The file's own name (without any client path) and its extension in lower case ("" if none)."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return name, extension


def content_matches(upload, signatures: tuple[bytes, ...] | None) -> bool:
    """True if the file starts with one of `signatures` (magic bytes); with None, if its start reads as
    UTF-8 text. Reads from the beginning and leaves the file there for saving."""
    upload.seek(0)
    try:
        if signatures is None:
            sample = upload.read(TEXT_SAMPLE_BYTES)
            try:  # final=False: a character cut at the end of the sample is not an error
                codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            except UnicodeDecodeError:
                return False
            return True
        return upload.read(max(map(len, signatures), default=0)).startswith(signatures)
    finally:
        upload.seek(0)
