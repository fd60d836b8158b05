"""A Python tinyrpc server over its WSGI transport, served by werkzeug on 127.0.0.1.

Usage: tinyrpc_wsgi_server.py
Listens on a free port, prints "LISTENING <port>" once ready, serves until stdin closes or the process is killed.
"""

import sys
import threading

from tinyrpc.dispatch import RPCDispatcher
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol
from tinyrpc.server import RPCServer
from tinyrpc.transports.wsgi import WsgiServerTransport
from werkzeug.serving import make_server

dispatcher = RPCDispatcher()


class PalindromeError(Exception):
    jsonrpc_error_code = 99
    message = "Ah, that's cheating"

    def __init__(self):
        super().__init__(self.message)


@dispatcher.public
def reverse_string(s):
    r = s[::-1]
    if r == s:
        raise PalindromeError()
    return r


@dispatcher.public
def add(a, b):
    return a + b


@dispatcher.public
def get_data():
    return ["hello", 5]


@dispatcher.public
def echo(value):
    return value


def main():
    transport = WsgiServerTransport(max_content_length=4096, queue_class=__import__("queue").Queue)
    server = RPCServer(transport, JSONRPCProtocol(), dispatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    http = make_server("127.0.0.1", 0, transport.handle, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print("LISTENING %d" % http.server_port, flush=True)

    # Ends when the test closes stdin (or kills the process).
    sys.stdin.read()
    http.shutdown()


if __name__ == "__main__":
    main()
