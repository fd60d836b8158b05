using System.Globalization;
using TinyRpc.Transports;

namespace TinyRpc.Samples.DemoServer;

/// <summary>The command line of the demo server, parsed by hand (no reflection).</summary>
internal sealed class DemoOptions
{
    public const string Usage = """
        TinyRpc demo server: serves the JSON-RPC 2.0 specification's example methods and a few more.

        Usage: DemoServer [options]

          --protocol <name>        jsonrpc (default) or msgpack (MSGPACK-RPC: positional arguments only, binary
                                   WebSocket messages, Content-Type application/msgpack over HTTP)
          --transport <name>       http (default): JSON-RPC over HTTP POST
                                   ws:   WebSocket (GET / answers in plain text, the socket is at the endpoint's path)
                                   tcp:  TCP, messages framed as in --framing
                                   cgi:  one request as a CGI program (run by a web server; reads REQUEST_METHOD,
                                         CONTENT_LENGTH, CONTENT_TYPE, the body on stdin, answers on stdout)
                                   zmq:  ZeroMQ ROUTER socket (clients use REQ or DEALER sockets)
                                   rabbitmq: consumes a RabbitMQ queue, replies to each request's reply-to
          --endpoint <where>       http: a URL, default http://127.0.0.1:8080/ (requests are POSTed to its path)
                                   ws:   a URL, default ws://127.0.0.1:8080/ws
                                   tcp:  host:port, default 127.0.0.1:5000
                                   zmq:  a ZeroMQ endpoint, default tcp://127.0.0.1:5001 (tcp://127.0.0.1:* picks a port)
                                   rabbitmq: an AMQP URI, amqp://user:password@host:port/vhost (its path is the
                                         virtual host; the queue is --queue), or host[:port]/queue;
                                         default 127.0.0.1:5672/tinyrpc_demo
                                   Port 0 picks a free port; the address is printed once the server listens.
          --queue <name>           rabbitmq with an amqp:// endpoint: the queue to serve; default tinyrpc_demo
          --framing <name>         tcp only: content-length (default, as in LSP) or newline
          --max-size <bytes>       largest request accepted (HTTP 413, WebSocket close 1009, CGI 413); default 1048576
          --allow-origin <origin>  http only: the origin browsers may call from (CORS), or *; none by default
          --explorer               http with jsonrpc only: also serve the RPC explorer, a page for trying the
                                   methods from a browser, at <path>/explorer (a development aid, off by default:
                                   anyone who can load the page can call every method)
          --log                    write every request and reply to standard error
          -h, --help               show this text

        Methods:
          subtract(minuend, subtrahend)     by position or by name: subtract(42, 23) = 19
          sum(...)                          any number of integers: sum(1, 2, 4) = 7
          update(...), notify_hello(...), notify_sum(...)
                                            notifications: they answer nothing (logged with --log)
          get_data()                        ["hello", 5]
          reverse_string(s)                 reverse_string("abc") = "cba"
          add(a, b)                         a + b
          cheat()                           always fails: code 99, "Ah, that's cheating", and a data object
          sleep(ms)                         answers ms after ms milliseconds (for trying timeouts)
          pending()                         the number of sleep calls running now
          sitea.get_site(), siteb.get_site()
          sitea.get_user_info(user), siteb.get_user_info(user)
                                            one class registered twice, under the prefixes "sitea." and "siteb."
          rpc.discover()                    the OpenRPC document of every method above (http and ws also
                                            serve it at GET <path>/openrpc.json)

        Examples:
          DemoServer --transport http --endpoint http://127.0.0.1:8080/rpc --log
          DemoServer --transport http --endpoint http://127.0.0.1:8080/rpc --explorer
          DemoServer --transport ws --endpoint ws://127.0.0.1:0/ws
          DemoServer --transport tcp --endpoint 127.0.0.1:5000 --framing newline
          DemoServer --protocol msgpack --transport zmq --endpoint tcp://127.0.0.1:5001
          DemoServer --transport rabbitmq --endpoint 127.0.0.1:5672/tinyrpc_demo
          DemoServer --transport rabbitmq --endpoint amqp://guest:guest@127.0.0.1:5672/%2F --queue tinyrpc_demo
        """;

    public string Protocol { get; private set; } = "jsonrpc";

    public string Transport { get; private set; } = "http";

    public string? Endpoint { get; private set; }

    public string? Queue { get; private set; }

    public MessageFraming Framing { get; private set; } = MessageFraming.ContentLength;

    public int MaxSize { get; private set; } = 1024 * 1024;

    public string? AllowOrigin { get; private set; }

    public bool Log { get; private set; }

    public bool Explorer { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses <paramref name="args"/>; on a mistake returns null and sets <paramref name="error"/>.</summary>
    public static DemoOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new DemoOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    options.Help = true;
                    break;
                case "--log":
                    options.Log = true;
                    break;
                case "--explorer":
                    options.Explorer = true;
                    break;
                case "--protocol":
                    options.Protocol = Value(arg, inline, args, ref i, ref error)?.ToLowerInvariant() ?? options.Protocol;
                    break;
                case "--transport":
                    string? transport = Value(arg, inline, args, ref i, ref error)?.ToLowerInvariant();
                    if (transport is not null and not ("http" or "ws" or "tcp" or "cgi" or "zmq" or "rabbitmq"))
                    {
                        error ??= $"Unknown transport '{transport}': use http, ws, tcp, cgi, zmq or rabbitmq.";
                    }

                    options.Transport = transport ?? options.Transport;
                    break;
                case "--endpoint":
                    options.Endpoint = Value(arg, inline, args, ref i, ref error);
                    break;
                case "--queue":
                    options.Queue = Value(arg, inline, args, ref i, ref error);
                    break;
                case "--framing":
                    string? framing = Value(arg, inline, args, ref i, ref error)?.ToLowerInvariant();
                    options.Framing = framing switch
                    {
                        null or "content-length" => MessageFraming.ContentLength,
                        "newline" => MessageFraming.NewlineDelimited,
                        _ => Fail(ref error, $"Unknown framing '{framing}': use content-length or newline.", MessageFraming.ContentLength),
                    };
                    break;
                case "--max-size":
                    string? size = Value(arg, inline, args, ref i, ref error);
                    if (size is not null)
                    {
                        if (int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int bytes) && bytes > 0)
                        {
                            options.MaxSize = bytes;
                        }
                        else
                        {
                            error ??= $"--max-size wants a positive number of bytes, not '{size}'.";
                        }
                    }

                    break;
                case "--allow-origin":
                    options.AllowOrigin = Value(arg, inline, args, ref i, ref error);
                    break;
                default:
                    error ??= $"Unknown option '{args[i]}'.";
                    break;
            }
        }

        // The page sends JSON-RPC in HTTP POSTs: over any other transport or protocol it could call nothing.
        if (error is null && options.Explorer && (options.Transport != "http" || options.Protocol != "jsonrpc"))
        {
            error = "--explorer goes with --transport http and --protocol jsonrpc: the page sends JSON-RPC requests in HTTP POSTs.";
        }

        return error is null ? options : null;
    }

    private static T Fail<T>(ref string? error, string message, T fallback)
    {
        error ??= message;
        return fallback;
    }

    private static string? Value(string name, string? inline, IReadOnlyList<string> args, ref int i, ref string? error)
    {
        if (inline is not null)
        {
            return inline;
        }

        if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            return args[++i];
        }

        error ??= $"{name} needs a value.";
        return null;
    }
}
