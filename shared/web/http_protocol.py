"""uvicorn's httptools protocol with a bound on the request head.

llhttp (httptools) keeps a request line and headers of any length in memory while it parses them,
in a loop that copies what it has so far; h11, uvicorn's other parser, refuses a head over 16 KiB.
This protocol counts the bytes received while a request's head is still open and answers 431 once
they pass the same bound, so one client cannot grow a service's memory or block its loop with an
endless header.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024  # h11's max_incomplete_event_size, uvicorn's bound with its other parser
_REFUSAL = b"Request header fields too large"


class BoundedHeadProtocol(HttpToolsProtocol):
    """`uvicorn.run(http=BoundedHeadProtocol)`: httptools, a request head of at most 16 KiB."""

    _head_open = True  # from the connection's start and each message's end to its headers' end
    _head_bytes = 0  # the bytes received while the head was open (a read's end may be a body's)

    def data_received(self, data: bytes) -> None:
        if self._head_open:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_open and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self.logger.warning("Request head over %d bytes refused.", MAX_HEAD_BYTES)
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_REFUSAL), _REFUSAL)
            )
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._head_open, self._head_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_open = True
