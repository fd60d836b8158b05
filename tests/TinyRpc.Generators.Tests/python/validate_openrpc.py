"""Validates OpenRPC documents against the OpenRPC meta-schema with python3-jsonschema.

Usage: validate_openrpc.py META_SCHEMA DOCUMENT...
Prints one line per document, "<path>: ok" or "<path>: <error>", and exits 1 when any is invalid.
"""
import json
import sys

import jsonschema

with open(sys.argv[1], encoding="utf-8") as f:
    meta = json.load(f)

# The meta-schema's JSON Schemas refer to https://meta.json-schema.tools: resolved, offline, to draft-07's meta-schema.
draft7 = jsonschema.Draft7Validator.META_SCHEMA
store = {"https://meta.json-schema.tools": draft7, "https://meta.json-schema.tools/": draft7}
validator = jsonschema.Draft7Validator(meta, resolver=jsonschema.RefResolver.from_schema(meta, store=store))

failed = False
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]
    failed = failed or bool(errors)
    print(f"{path}: {'; '.join(errors) if errors else 'ok'}")

sys.exit(1 if failed else 0)
