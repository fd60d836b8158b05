"""Python tinyrpc's HTTP client against samples/DemoServer, comparing with what Python itself computes.

Usage: tinyrpc_demo_client.py URL
Prints one line per check as "name=json" and exits 0; any failure exits non-zero with the reason on stderr.
"""

import json
import sys

from tinyrpc.client import RPCClient
from tinyrpc.exc import RPCError
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol
from tinyrpc.transports.http import HttpPostClientTransport


def main(url):
    client = RPCClient(JSONRPCProtocol(), HttpPostClientTransport(url, timeout=30))

    # Characters outside the Basic Multilingual Plane: the server must reverse them as s[::-1] does.
    text = "a\U0001d11eb\U0001f600c"
    report("reverse_astral_matches", client.call("reverse_string", [text], None) == text[::-1])

    # Big integers: a 64-bit overflow must be an error reply, never a wrapped number.
    try:
        report("subtract_overflow", client.call("subtract", [-2 ** 63, 2 ** 63 - 1], None))
    except RPCError as e:
        report("subtract_overflow", "error: " + str(e))

    report("subtract_named", client.call("subtract", None, {"minuend": 42, "subtrahend": 23}))
    report("get_data", client.call("get_data", [], None))
    report("user_info", client.call("sitea.get_user_info", ["ann"], None))


def report(name, value):
    print("%s=%s" % (name, json.dumps(value)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
