"""Python tinyrpc's HTTP client against a TinyRpc HTTP server.

Usage: tinyrpc_http_client.py URL
Prints one line per check as "name=json" and exits 0; any failure exits non-zero with the reason on stderr.
"""

import json
import sys

from tinyrpc.client import RPCClient
from tinyrpc.exc import RPCError
from tinyrpc.protocols.jsonrpc import JSONRPCProtocol
from tinyrpc.transports.http import HttpPostClientTransport


def main(url):
    transport = HttpPostClientTransport(url, timeout=30)
    client = RPCClient(JSONRPCProtocol(), transport)

    report("add", client.call("add", [2, 3], None))
    report("add_named", client.call("add", None, {"a": 40, "b": 2}))
    report("reverse_string", client.call("reverse_string", ["hello"], None))

    proxy = client.get_proxy()
    report("proxy", proxy.reverse_string("tinyrpc"))

    # Keyword arguments under the snake_case wire names of a SnakeCase service, through a proxy and a call.
    comments = client.get_proxy(prefix="comments.")
    report("keyword_proxy", comments.get_user_comment(comment_id=7, user_name="ann"))
    report("keyword_call", client.call("comments.get_user_comment", None, {"comment_id": 8}))
    try:
        client.call("comments.get_user_comment", None, {"commentId": 9})
        report("keyword_csharp_name", "no error")
    except RPCError as e:
        report("keyword_csharp_name", str(e))

    # "params": null, which several clients send for a method without parameters.
    raw = '{"jsonrpc":"2.0","method":"comments.ping","params":null,"id":10}'
    report("params_null", json.loads(transport.send_message(raw).decode()).get("result"))

    # A notification: the server answers 204 and the client reads nothing.
    client.call("notify", [], None, one_way=True)
    report("notified", True)

    try:
        client.call("fail", [], None)
        report("fail", "no error")
    except RPCError as e:
        report("fail", str(e))

    try:
        client.call("no_such_method", [], None)
        report("missing", "no error")
    except RPCError as e:
        report("missing", str(e))

    # A raw batch through the same transport.
    batch = '[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"add","params":[3,4],"id":2}]'
    replies = json.loads(transport.send_message(batch).decode())
    report("batch", sorted(r["result"] for r in replies))


def report(name, value):
    print("%s=%s" % (name, json.dumps(value)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
