"""Writes the seed corpus of every fuzz target into corpus/<target>/ (run with Debian's python3 and python3-msgpack)."""

import os
import struct

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))

JSON_REQUESTS = [
    b'{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    b'{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    b'{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    b'{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    b'{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    b'[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method" ]',
    b'[]',
    b'[1,2,3]',
    b'{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}',
    b'{"jsonrpc":"2.0","method":"svc.add","params":{"a":1,"b":9007199254740993},"id":"x"}',
    b'{"jsonrpc":"2.0","method":"echo","params":{"text":"h\\u00e9\\ud83d\\ude00","suffix":null},"id":null}',
    b'{"jsonrpc":"2.0","method":"scale","params":[1.5e300,2.5,true],"id":2}',
    b'{"jsonrpc":"2.0","method":"count","params":[[1,2,3],["a","b"],{"x":1,"y":2}],"id":3}',
    b'{"jsonrpc":"2.0","method":"describe","params":[null,255,-32768,4294967295,18446744073709551615,"z"],"id":4}',
    b'{"jsonrpc":"2.0","method":"identity","params":[{"a":[1,{"b":null}],"c":"d"}],"id":5}',
    b'{"jsonrpc":"2.0","method":"notify","params":["hi"]}',
    b'{"jsonrpc":"2.0","method":"length","params":["abc"],"id":6}',
    b'{"jsonrpc":"2.0","method":"fail","params":["no"],"id":7}',
    b'{"jsonrpc":"2.0","method":"add","params":null,"id":8}',
    b'[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},{"jsonrpc":"2.0","method":"notify","params":["x"]},{"jsonrpc":"2.0","method":"echo","params":["a"],"id":2}]',
    b'{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1,"id":2}',
    b'[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]',
]

JSON_REPLIES = [
    b'{"jsonrpc":"2.0","result":19,"id":1}',
    b'{"jsonrpc":"2.0","result":"abc","id":"x"}',
    b'{"jsonrpc":"2.0","result":[1,2,3],"id":2}',
    b'{"jsonrpc":"2.0","result":{"a":1},"id":3}',
    b'{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"1"}',
    b'{"jsonrpc":"2.0","error":{"code":99,"message":"Ah","data":{"reason":"x","retry":false}},"id":null}',
    b'[{"jsonrpc":"2.0","result":7,"id":"1"},{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}]',
]


def msgpack_requests():
    yield msgpack.packb([0, 1, "add", [1, 2]])
    yield msgpack.packb([0, 2, "svc.add", [-5, 2 ** 40]])
    yield msgpack.packb([0, 3, "echo", ["h\u00e9\U0001f600", None]])
    yield msgpack.packb([0, 4, "scale", [1.5, 2.5, True]])
    yield msgpack.packb([0, 5, "count", [[1, 2, 3], ["a", "b"], {"x": 1}]])
    yield msgpack.packb([0, 6, "describe", [None, 255, -32768, 4294967295, 2 ** 64 - 1, "z"]])
    yield msgpack.packb([0, 7, "identity", [{"a": [1, {"b": None}], "c": b"bin"}]])
    yield msgpack.packb([2, "notify", ["hi"]])
    yield msgpack.packb([0, 8, "length", ["abc"]])
    yield msgpack.packb([0, 9, "fail", ["no"]])
    yield msgpack.packb([0, 10, "nope", []])
    yield msgpack.packb([0, 0, "add", None])
    yield msgpack.packb([1, 2, 3])
    yield bytes.fromhex("9400cd1234d903616263dc0002c3c2")


def msgpack_replies():
    yield msgpack.packb([1, 1, None, 3])
    yield msgpack.packb([1, 2, None, "abc"])
    yield msgpack.packb([1, 3, None, [1, 2, {"a": None}]])
    yield msgpack.packb([1, 4, [-32601, "Method not found"], None])
    yield msgpack.packb([1, 5, "plain error", None])
    yield msgpack.packb([1, 0, [99, "Ah", {"reason": "x"}], None])


def framing():
    body = JSON_REQUESTS[8]
    frame = b"Content-Length: %d\r\n\r\n" % len(body) + body
    yield bytes([0x00]) + frame + frame
    yield bytes([0x03]) + b"Content-Length: 5\r\nContent-Type: application/json\r\n\r\nhello"
    yield bytes([0x3f]) + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
    yield bytes([0x01]) + b"Content-Length: 99999\r\n\r\nx"
    yield bytes([0x80]) + body + b"\n" + body + b"\r\n"
    yield bytes([0x81]) + b"x" * 2000 + b"\n"


def frame(opcode, payload, fin=True, mask=None):
    """A WebSocket frame (RFC 6455, section 5.2); a client's frames carry a four-byte mask."""
    head = bytes([(0x80 if fin else 0) | opcode])
    masked = 0x80 if mask is not None else 0
    n = len(payload)
    if n < 126:
        head += bytes([masked | n])
    elif n < 65536:
        head += bytes([masked | 126]) + struct.pack(">H", n)
    else:
        head += bytes([masked | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def websocket():
    yield bytes([0x00]) + frame(1, JSON_REPLIES[0])
    yield bytes([0x05]) + frame(1, b'{"jsonrpc":', fin=False) + frame(0, b'"2.0"}')
    yield bytes([0x3f]) + frame(9, b"ping") + frame(1, b"{}") + frame(8, struct.pack(">H", 1000))
    yield bytes([0x02]) + frame(2, b"\x00" * 2000)


def websocket_server():
    # The first byte picks the bytes per read, as for the client target; the server's limit is 1024 bytes.
    def masked(opcode, payload, fin=True):
        return frame(opcode, payload, fin, mask=b"\x37\xfa\x21\x3d")

    request = JSON_REQUESTS[8]
    yield bytes([0x00]) + masked(1, request)
    yield bytes([0x05]) + masked(1, request[:10], fin=False) + masked(9, b"ping") + masked(0, request[10:20], fin=False) + masked(0, request[20:])
    yield bytes([0x3f]) + masked(1, request) + masked(2, b"\x94\x00\x01\xa3add\x92\x01\x02") + masked(8, struct.pack(">H", 1000) + b"bye")
    yield bytes([0x02]) + masked(2, b"\x00" * 1024) + masked(1, b"{}")
    yield bytes([0x07]) + masked(2, b"\x00" * 2000)
    yield bytes([0x11]) + masked(1, b"a" * 600, fin=False) + masked(0, b"b" * 600)
    yield bytes([0x01]) + masked(10, b"") + masked(1, b"") + masked(1, "h\u00e9\U0001f600".encode())
    yield bytes([0x00]) + frame(1, request)
    yield bytes([0x03]) + masked(1, request, fin=False) + masked(1, request)


def write(target, seeds):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for i, seed in enumerate(seeds):
        with open(os.path.join(folder, "seed-%02d" % i), "wb") as f:
            f.write(seed)


write("json-request", JSON_REQUESTS)
write("json-reply", JSON_REPLIES)
write("msgpack-request", msgpack_requests())
write("msgpack-reply", msgpack_replies())
write("framing", framing())
write("websocket", websocket())
write("websocket-server", websocket_server())
