"""A plain libzmq DEALER that a TinyRpc ZeroMQ server can call back: its routing identity starts with
ZmqServerTransport.DuplexIdentityPrefix, and every message goes out as REQ sends it (an empty delimiter, then the body).

Usage: raw_dealer_peer.py ENDPOINT QUESTION. Calls the server's ask_back(QUESTION), answers the server's calls of
"answer" with "python answers <question>" while it waits, then prints the result of ask_back (or the error as JSON).
"""
import json
import os
import sys

import zmq

ctx = zmq.Context()
sock = ctx.socket(zmq.DEALER)
sock.setsockopt(zmq.IDENTITY, b"tinyrpc-dealer:" + os.urandom(16))
sock.setsockopt(zmq.LINGER, 0)
sock.connect(sys.argv[1])
sock.send_multipart([b"", json.dumps({"jsonrpc": "2.0", "method": "ask_back", "params": [sys.argv[2]], "id": "mine"}).encode()])
poller = zmq.Poller()
poller.register(sock, zmq.POLLIN)
status = 1
while poller.poll(30000):
    body = sock.recv_multipart()[-1]
    if not body:
        continue  # the server's answer to a notification, or its check that this peer is still there
    message = json.loads(body)
    if "method" in message:
        params = message.get("params")
        question = params[0] if isinstance(params, list) else list(params.values())[0]
        if "id" in message:
            reply = {"jsonrpc": "2.0", "result": "python answers " + question, "id": message["id"]}
            sock.send_multipart([b"", json.dumps(reply).encode()])
    elif message.get("id") == "mine":
        print(message["result"] if "result" in message else json.dumps(message), flush=True)
        status = 0
        break
sock.close()
ctx.term()
sys.exit(status)
