"""Talks to a TinyRpc ZeroMQ server over a plain libzmq REQ socket, sending each argument as one message.

Usage: raw_req_client.py ENDPOINT MESSAGE... Prints each reply on its own line as JSON text
(an empty reply prints as <empty>).
"""
import sys

import zmq

ctx = zmq.Context()
sock = ctx.socket(zmq.REQ)
sock.setsockopt(zmq.RCVTIMEO, 30000)
sock.setsockopt(zmq.LINGER, 0)
sock.connect(sys.argv[1])
for message in sys.argv[2:]:
    sock.send(message.encode("utf-8"))
    reply = sock.recv()
    print(reply.decode("utf-8") if reply else "<empty>")
sock.close()
ctx.term()
