"""Plain HTML form posts (application/x-www-form-urlencoded): read, bounded, into a flat dict."""

from urllib.parse import parse_qsl

from fastapi import HTTPException, Request

MAX_FIELDS = 64


async def read_form(request: Request, max_bytes: int) -> dict[str, str]:
    """The posted fields (first value of each name); 413 over `max_bytes`, 415 for other encodings."""
    kind = request.headers.get("content-type", "application/x-www-form-urlencoded").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "send the form as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > max_bytes:
        raise HTTPException(413, "form too large")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form could not be read") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields
