"""Where a JSON document is broken: orjson reports bytes that are not UTF-8 at "line 1 column 1"
whatever their place; this finds the offending byte and names its offset, line and column."""

from __future__ import annotations

import orjson


def json_error(data: bytes, exc: orjson.JSONDecodeError) -> tuple[str, str]:
    """``(reason, location)`` of a decode error.

    E.g. ``("not UTF-8: byte 0xff", "line 3 column 7 (byte 110)")``.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        offset = bad.start
        return f"not UTF-8: byte 0x{data[offset]:02x}", _where(data, offset)
    offset = len(exc.doc[: exc.pos].encode("utf-8"))  # orjson counts characters of the text
    return exc.msg, _where(data, offset)


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line} column {column} (byte {offset})"
