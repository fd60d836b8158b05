"""Calls a TinyRpc ZeroMQ server with python3-tinyrpc's REQ client transport.

Usage: tinyrpc_client.py ENDPOINT. Prints one JSON line of results.
"""
import json
import sys

import zmq
from tinyrpc import RPCClient
from tinyrpc.exc import RPCError
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol
from tinyrpc.transports.zmq import ZmqClientTransport

ctx = zmq.Context()
transport = ZmqClientTransport.create(ctx, sys.argv[1])
transport.socket.setsockopt(zmq.RCVTIMEO, 30000)
transport.socket.setsockopt(zmq.LINGER, 0)
client = RPCClient(JSONRPCProtocol(), transport)
proxy = client.get_proxy()

results = {
    "reverse": proxy.reverse_string("Hello, World!"),
    "subtract": proxy.subtract(10, 3),
    "named": proxy.subtract(minuend=5, subtrahend=8),
}
try:
    proxy.no_such_method()
    results["missing"] = "no error"
except RPCError as e:
    results["missing"] = str(e)
print(json.dumps(results))
transport.socket.close()
ctx.term()
