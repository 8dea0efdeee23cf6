"""uvicorn's httptools protocol with a bound on the request head.

llhttp (httptools) keeps a request line and headers of any length in memory while it parses them,
in a loop that copies what it has so far; h11, uvicorn's other parser, refuses a head over 16 KiB.
This protocol answers 431 once a head passes the same bound, two ways:

- a head still open: the bytes received since the request began (a trickled or endless header);
- a head that ended within one read: the bytes of its request line and headers as parsed, counted
  when the headers end, before the request is dispatched (a read's count may hold a body too).
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024  # h11's max_incomplete_event_size, uvicorn's bound with its other parser
_REFUSAL = b"Request header fields too large"
_LINE_OVERHEAD = 4  # ": " and CRLF of each header line


class _HeadTooLargeError(Exception):
    """Raised from a parser callback: httptools stops and uvicorn answers (see send_400_response)."""


class BoundedHeadProtocol(HttpToolsProtocol):
    """`uvicorn.run(http=BoundedHeadProtocol)`: httptools, a request head of at most 16 KiB."""

    _head_open = True  # from the connection's start and each message's end to its headers' end
    _head_bytes = 0  # the bytes received while the head was open (a read's end may be a body's)
    _parsed_bytes = 0  # the request line and headers of the current head, as parsed
    _too_large = False

    def data_received(self, data: bytes) -> None:
        if self._head_open:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_open and self._head_bytes > MAX_HEAD_BYTES:
            self._refuse()

    def on_url(self, url: bytes) -> None:
        self._parsed_bytes += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed_bytes += len(name) + len(value) + _LINE_OVERHEAD
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._parsed_bytes > MAX_HEAD_BYTES:
            self._too_large = True
            raise _HeadTooLargeError
        self._head_open, self._head_bytes, self._parsed_bytes = False, 0, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_open = True

    def send_400_response(self, msg: str) -> None:
        """The answer to a parser error (uvicorn's 400), or 431 when the error is a head over the bound."""
        if self._too_large:
            self._refuse()
        else:
            super().send_400_response(msg)

    def _refuse(self) -> None:
        if self.transport.is_closing():
            return
        self.logger.warning("Request head over %d bytes refused.", MAX_HEAD_BYTES)
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_REFUSAL), _REFUSAL)
        )
        self.transport.close()
