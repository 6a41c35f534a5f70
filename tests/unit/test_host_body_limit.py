"""The local host refuses a body over the limit with 413 while reading it, chunked or not, without
buffering the rest (issue 15: the webhook stays cheap for strangers); a body within it is served."""
from __future__ import annotations

import socket
import threading
import time

import azure.functions as func
import pytest
import uvicorn

from devhost.function_index import index_app
from devhost.http_server import build_http_app
from settings import Settings
from tests.e2e.conftest import free_port

LIMIT = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def server():
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="echo", methods=["POST"])
    def echo(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(str(len(req.get_body())))

    asgi = build_http_app(list(index_app(app, Settings()).values()), api_key=None, max_body=LIMIT)
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started:
        time.sleep(0.02)
    yield port
    instance.should_exit = True
    thread.join(10)


def send(port: int, headers: bytes, chunks, cap: int = 100 * 1024 * 1024) -> tuple[bytes, int]:
    """Send the request body piece by piece until the server answers; the answer and bytes sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(headers)
    sent, answer = 0, b""
    sock.settimeout(0.005)
    try:
        for piece in chunks:
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
            try:
                answer += sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                pass
            if answer or sent > cap:
                break
        sock.settimeout(5)
        try:
            while not answer.count(b"\r\n\r\n"):
                more = sock.recv(65536)
                if not more:
                    break
                answer += more
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    return answer, sent


def chunked(total: int):
    for _ in range(total // CHUNK):
        yield b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n"
    yield b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read(server):
    head = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    answer, sent = send(server, head, chunked(100 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 8 * LIMIT  # stopped near the limit, not after 100 MB


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(server):
    head = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (50 * 1024 * 1024)
    answer, sent = send(server, head, (b"x" * CHUNK for _ in range(800)))
    assert answer.startswith(b"HTTP/1.1 413") and sent < 8 * LIMIT


def test_a_body_within_the_limit_chunked_or_not_reaches_the_function(server):
    head = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    answer, _ = send(server, head, chunked(LIMIT))
    assert answer.startswith(b"HTTP/1.1 200")
    body = b"y" * 1000
    head = b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
    answer, _ = send(server, head + body, [])
    assert answer.startswith(b"HTTP/1.1 200")
