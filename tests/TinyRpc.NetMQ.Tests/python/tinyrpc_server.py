"""A python3-tinyrpc server on a ZeroMQ ROUTER socket bound to a free loopback port.

Prints the endpoint on one line, then serves until killed.
"""
import time

import zmq
from tinyrpc.dispatch import RPCDispatcher
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol
from tinyrpc.server import RPCServer
from tinyrpc.transports.zmq import ZmqServerTransport

ctx = zmq.Context()
sock = ctx.socket(zmq.ROUTER)
port = sock.bind_to_random_port("tcp://127.0.0.1")
dispatcher = RPCDispatcher()


@dispatcher.public
def reverse_string(s):
    return s[::-1]


@dispatcher.public
def subtract(minuend, subtrahend):
    return minuend - subtrahend


@dispatcher.public
def sleep(ms):
    time.sleep(ms / 1000.0)
    return ms


server = RPCServer(ZmqServerTransport(sock), JSONRPCProtocol(), dispatcher)
print("tcp://127.0.0.1:%d" % port, flush=True)
server.serve_forever()
