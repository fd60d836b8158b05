"""An independent MSGPACK-RPC peer for the TinyRpc tests, built on Debian's python3-msgpack only.

Debian ships python3-tinyrpc 0.6, which has no MSGPACK-RPC protocol (it arrived in tinyrpc 1.0). This peer
follows what tinyrpc 1.1 documents for MSGPACKRPCProtocol instead: requests [0, msgid, method, args],
notifications [2, method, args], responses [1, msgid, error, result], errors written as [code, message]
with the JSON-RPC codes, keyword arguments refused, messages packed with use_bin_type=True and unpacked
with raw=False. On TCP each message is framed by a Content-Length header, as TinyRpc's stream transports
frame them (MessageFraming.ContentLength).

Commands:
  pack            each stdin line is a Python literal; prints the hex of its msgpack encoding
  unpack          each stdin line is hex; prints repr(value) and the hex of the value packed again
  serve           serves MSGPACK-RPC on 127.0.0.1 (port printed first) until the client disconnects
  call PORT       sends a fixed series of messages to a TinyRpc server; prints each reply as a JSON line
  shapes PORT     calls the shapes contract of a TinyRpc server with Python values; prints label|repr(reply)
"""

import ast
import datetime
import json
import socket
import sys

import msgpack

TIMEOUT = 30


def pack(value):
    return msgpack.packb(value, use_bin_type=True)


def unpack(data):
    return msgpack.unpackb(data, raw=False)


def read_frame(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return stream.read(length)


def write_frame(sock, body):
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


# ---- a tinyrpc-like server -------------------------------------------------------------------------------

class RPCError(Exception):
    code = -32000
    message = "Server error"


class PalindromeError(RPCError):
    """tinyrpc 1.1's FixedErrorMessageMixin example."""
    code = 99
    message = "Ah, that's cheating!"


class RawError(Exception):
    """Answers with an error object that is not [code, message], as other MSGPACK-RPC servers do."""

    def __init__(self, error):
        super().__init__()
        self.error = error


notifications = []


def reverse_string(s):
    r = s[::-1]
    if r == s:
        raise PalindromeError()
    return r


def raise_raw(kind):
    raise RawError({"string": "something went wrong", "map": {"reason": "busy", "retry": 3}, "int": 42}[kind])


METHODS = {
    "reverse_string": reverse_string,
    "add": lambda a, b: a + b,
    "echo": lambda value: value,
    "nothing": lambda: None,
    "raw_error": raise_raw,
    "record": lambda entry: notifications.append(entry),
    "recorded": lambda: list(notifications),
}


def error(msgid, code, message):
    return pack([1, msgid, [code, message], None])


def handle(data):
    try:
        request = unpack(data)
    except Exception:
        return error(None, -32700, "Parse error")
    if not isinstance(request, list) or len(request) not in (3, 4) or request[0] not in (0, 2):
        return error(None, -32600, "Invalid request")
    one_way = request[0] == 2
    if one_way:
        msgid, method, args = None, request[1], request[2]
    else:
        msgid, method, args = request[1], request[2], request[3]
        if not isinstance(msgid, int):
            return error(None, -32600, "Invalid request")
    if not isinstance(method, str) or not isinstance(args, list):
        return None if one_way else error(msgid, -32600, "Invalid request")
    function = METHODS.get(method)
    try:
        if function is None:
            raise KeyError(method)
        result = function(*args)
    except KeyError:
        reply = error(msgid, -32601, "Method not found")
    except TypeError:
        reply = error(msgid, -32602, "Invalid params")
    except RPCError as e:
        reply = error(msgid, e.code, e.message)
    except RawError as e:
        reply = pack([1, msgid, e.error, None])
    else:
        reply = pack([1, msgid, None, result])
    return None if one_way else reply


def serve():
    listener = socket.socket()
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    connection, _ = listener.accept()
    connection.settimeout(TIMEOUT)
    stream = connection.makefile("rb")
    while True:
        data = read_frame(stream)
        if data is None:
            break
        reply = handle(data)
        if reply is not None:
            write_frame(connection, reply)
    connection.close()
    listener.close()


# ---- a tinyrpc-like client -------------------------------------------------------------------------------

def call(port):
    connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    stream = connection.makefile("rb")

    def exchange(label, message):
        write_frame(connection, message)
        print(json.dumps([label, unpack(read_frame(stream))]), flush=True)

    exchange("reverse", pack([0, 1, "reverse_string", ["Hello, World!"]]))
    exchange("palindrome", pack([0, 2, "reverse_string", ["rotator"]]))
    exchange("missing", pack([0, 3, "no_such_method", []]))
    exchange("invalid_params", pack([0, 4, "add", ["x", "y"]]))
    exchange("defaults", pack([0, 5, "greet", ["Ann"]]))
    exchange("dto", pack([0, 6, "move", [[1, 2], 10, 20]]))
    exchange("params_array", pack([0, 7, "sum", [1, 2, 3, 4]]))
    exchange("max_msgid", pack([0, 0xFFFFFFFF, "add", [2, 3]]))
    write_frame(connection, pack([2, "record", ["from python"]]))  # a notification: no reply may come
    exchange("after_notification", pack([0, 8, "recorded", []]))
    exchange("keyword_arguments", pack([0, 9, "add", {"a": 1, "b": 2}]))
    exchange("msgid_not_integer", pack([0, "ten", "add", [1, 2]]))
    exchange("garbage", b"\xc1")
    exchange("trailing_bytes", pack([0, 10, "add", [1, 2]]) + b"\x00")

    # Two requests before either reply: the replies are matched by msgid, in whatever order they come.
    write_frame(connection, pack([0, 11, "add", [1, 1]]))
    write_frame(connection, pack([0, 12, "add", [2, 2]]))
    replies = sorted((unpack(read_frame(stream)) for _ in range(2)), key=lambda r: r[1])
    print(json.dumps(["pipelined", replies]), flush=True)
    connection.close()


def shapes(port):
    """Python values in, natural Python values out: lists, dicts, ints, floats, None."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    stream = connection.makefile("rb")
    calls = [
        ("get_data", []),
        ("get_user_info", ["ann"]),
        ("describe", [{"n": 3, "list": [1, "two", None, True, 2.5], "map": {"inner": [1, 2]}}]),
        ("doubled", [[1, -2, 300]]),
        ("upper", [["a", "h\u00e9llo"]]),
        ("halves", [[1.0, 3]]),
        ("groups", [{"a": [1, 2], "b": []}]),
        ("nullables", [[1, None, 3], 10]),
        ("next_shade", [2]),
        ("shades", [[1, None]]),
        ("echo", [{"a": [1, "b", None], "c": False}]),
        ("older", [{"Name": "ann", "Age": 41, "e-mail": "ann@example.org", "Tags": ["a"], "Unknown": [1]}]),
        ("users", [2]),
        ("order", [{"Id": 7, "Owner": {"Name": "bo", "Age": 3, "e-mail": None, "Tags": []}, "Lines": {"tea": 2}}]),
        ("grow", [{"Width": 1, "Height": 2}, {"Width": 10, "Height": 20}]),
        ("later", [msgpack.Timestamp(1709249405, 123456700)]),
        ("later", [datetime.datetime(2024, 2, 29, 23, 30, 5, 123456, tzinfo=datetime.timezone.utc)]),
        ("shift", ["2024-02-29T23:30:05.1234567+05:30"]),
        ("same_guid", ["0f8fad5b-d9cb-469f-a165-70867728950e"]),
        ("half", ["12345678901234567890.12345"]),
        ("half", [1.5]),
    ]
    printed = set()
    for msgid, (method, args) in enumerate(calls, 1):
        write_frame(connection, msgpack.packb([0, msgid, method, args], use_bin_type=True, datetime=True))
        reply = unpack(read_frame(stream))
        label = method if method not in printed else method + str(msgid)
        printed.add(label)
        print(label + "|" + repr(reply[2] if reply[2] is not None else reply[3]), flush=True)
    connection.close()


def main():
    command = sys.argv[1]
    if command == "pack":
        for line in sys.stdin:
            if line.strip():
                print(pack(ast.literal_eval(line)).hex())
    elif command == "unpack":
        for line in sys.stdin:
            if line.strip():
                value = unpack(bytes.fromhex(line.strip()))
                print(repr(value) + "|" + pack(value).hex())
    elif command == "serve":
        serve()
    elif command == "call":
        call(int(sys.argv[2]))
    elif command == "shapes":
        shapes(int(sys.argv[2]))
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
