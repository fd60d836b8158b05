"""An independent consumer of TinyRpc's OpenRPC document (python3-jsonschema, urllib, python3-msgpack).

Usage: openrpc_check.py META_SCHEMA BASE_URL

Reads the document at BASE_URL/rpc/openrpc.json, validates it against the OpenRPC meta-schema, asks rpc.discover
over JSON-RPC (BASE_URL/rpc) and MSGPACK-RPC (BASE_URL/msgpack) and compares, then makes real calls and validates
each request's params and each reply's result against the method's schemas in the document. Prints one JSON object
of checks on standard output.
"""
import json
import sys
import urllib.request

import jsonschema
import msgpack

meta_path, base = sys.argv[1], sys.argv[2].rstrip("/")
checks = {}


def http(url, body=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST")
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, reply.headers.get("Content-Type"), reply.read()


# The meta-schema's JSON Schemas refer to https://meta.json-schema.tools: resolved, offline, to draft-07's meta-schema.
with open(meta_path, encoding="utf-8") as f:
    meta = json.load(f)
draft7 = jsonschema.Draft7Validator.META_SCHEMA
store = {"https://meta.json-schema.tools": draft7, "https://meta.json-schema.tools/": draft7}
meta_validator = jsonschema.Draft7Validator(meta, resolver=jsonschema.RefResolver.from_schema(meta, store=store))


def meta_errors(document):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in meta_validator.iter_errors(document)]


# A document that breaks the meta-schema is refused: the check can fail.
checks["meta_rejects_broken"] = len(meta_errors({"openrpc": "1.3.2", "info": {"title": "x"}, "methods": []})) > 0

status, content_type, raw = http(base + "/rpc/openrpc.json")
document = json.loads(raw)
checks["get_status"] = status
checks["get_content_type"] = content_type
checks["get_errors"] = meta_errors(document)

rpc_id = 0


def call(method, params, notification=False):
    global rpc_id
    rpc_id += 1
    request = {"jsonrpc": "2.0", "method": method, "params": params}
    if not notification:
        request["id"] = rpc_id
    status, _, raw = http(base + "/rpc", json.dumps(request).encode())
    return request, (json.loads(raw) if raw else None)


_, discovered = call("rpc.discover", [])
checks["discover_equals_get"] = discovered.get("result") == document
checks["discover_errors"] = meta_errors(discovered.get("result"))

_, _, raw = http(base + "/msgpack", msgpack.packb([0, 7, "rpc.discover", []]), "application/msgpack")
reply = msgpack.unpackb(raw, raw=False)
checks["msgpack_reply_shape"] = [reply[0], reply[1], reply[2]]
checks["msgpack_equals_get"] = reply[3] == document
checks["msgpack_errors"] = meta_errors(reply[3])

# Schemas in the document refer to #/components/schemas/...: resolve them against the document itself.
resolver = jsonschema.RefResolver.from_schema(document)
methods = {m["name"]: m for m in document["methods"]}


def schema_errors(schema, value):
    return [e.message[:200] for e in jsonschema.Draft7Validator(schema, resolver=resolver).iter_errors(value)]


def check_call(method_name, params, notification=False):
    """Calls, records the exchange, and validates it against the method's description."""
    method = methods[method_name]
    descriptors = method["params"]
    problems = []
    if isinstance(params, dict):
        for name, value in params.items():
            d = next((d for d in descriptors if d["name"] == name), None)
            if d is None:
                problems.append(f"unknown param {name}")
            else:
                problems += schema_errors(d["schema"], value)
        problems += [f"missing {d['name']}" for d in descriptors if d.get("required") and d["name"] not in params]
    else:
        for i, value in enumerate(params):
            d = descriptors[min(i, len(descriptors) - 1)]
            schema = d["schema"]["items"] if d.get("x-params-array") and i >= len(descriptors) - 1 else d["schema"]
            problems += schema_errors(schema, value)
    request, response = call(method_name, params, notification)
    if notification:
        problems += [] if response is None else ["a notification got a reply"]
        problems += [] if "result" not in method else ["a notification has a result"]
    elif "error" in response:
        code = response["error"]["code"]
        declared = [e["code"] for e in method.get("errors", [])]
        problems += [] if code in declared else [f"undeclared error {code}"]
    else:
        problems += schema_errors(method["result"]["schema"], response["result"])
    return {"request": request, "response": response, "problems": problems}


exchanges = {
    "find_positional": check_call("find_books", ["Verse", 5, "Poetry"]),
    "find_named": check_call("find_books", {"text": "Verse", "limit": 1}),
    "buy": check_call("buy", [3, 2]),
    "buy_sold_out": check_call("buy", {"book_id": 0}),
    "folders": check_call("folders", []),
    "by_tag": check_call("by_tag", [["a", "b"], "c", "d"]),
    "log": check_call("log", ["hello"], notification=True),
}
checks["exchanges"] = exchanges

# The schemas are not vacuous: a wrong value is refused.
find = methods["find_books"]
checks["schema_rejects_wrong_type"] = len(schema_errors(find["params"][1]["schema"], "ten")) > 0
checks["schema_rejects_bad_book"] = len(schema_errors(find["result"]["schema"], [{"book_id": "x"}])) > 0
checks["schema_rejects_unknown_genre"] = len(schema_errors(find["params"][2]["schema"], "Drama")) > 0

print(json.dumps(checks))
