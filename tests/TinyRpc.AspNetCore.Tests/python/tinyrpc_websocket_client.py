"""Python tinyrpc's JSON-RPC protocol over python3-websocket against a TinyRpc WebSocket server.

Usage: tinyrpc_websocket_client.py URL
Sends several requests before reading any reply, matches the replies by id and prints "name=json" lines.
"""

import json
import sys

import websocket
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol


def main(url):
    protocol = JSONRPCProtocol()
    ws = websocket.create_connection(url, timeout=30)

    requests = {}
    for i in range(20):
        request = protocol.create_request("echo_later", [i, (i * 7) % 5], None)
        requests[request.unique_id] = i
        ws.send(request.serialize())
    ws.send(protocol.create_request("notify", [], None, one_way=True).serialize())

    matched = 0
    for _ in range(len(requests)):
        reply = protocol.parse_reply(ws.recv())
        if reply.result != requests.pop(reply.unique_id):
            raise SystemExit("reply %r does not match its request" % reply.result)
        matched += 1
    report("matched", matched)

    ws.send(protocol.create_request("fail", [], None).serialize())
    error = protocol.parse_reply(ws.recv())
    report("error", error.error)

    ws.close()


def report(name, value):
    print("%s=%s" % (name, json.dumps(value)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
