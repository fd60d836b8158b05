"""A plain libzmq REP socket that answers JSON-RPC calls to reverse_string by hand (no tinyrpc).

Prints the endpoint on one line, then answers until killed.
"""
import json

import zmq

ctx = zmq.Context()
sock = ctx.socket(zmq.REP)
port = sock.bind_to_random_port("tcp://127.0.0.1")
print("tcp://127.0.0.1:%d" % port, flush=True)
while True:
    request = json.loads(sock.recv())
    reply = {"jsonrpc": "2.0", "id": request.get("id"), "result": request["params"][0][::-1]}
    sock.send(json.dumps(reply).encode("utf-8"))
