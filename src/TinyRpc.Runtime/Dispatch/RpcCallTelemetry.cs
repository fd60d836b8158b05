using System.Diagnostics;
using System.Globalization;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// The span and the duration measurement of one call, client or server, named and tagged as the OpenTelemetry RPC
/// conventions say (docs/observability.md). Made only when someone listens; a default value records nothing.
/// </summary>
internal readonly struct RpcCallTelemetry
{
    /// <summary>The <c>rpc.method</c> of a method the server does not know, as the conventions spell it.</summary>
    public const string OtherMethod = "_OTHER";

    private readonly Activity? _activity;
    private readonly RpcInstruments _instruments;
    private readonly long _started;
    private readonly string _system;
    private readonly string _method;
    private readonly string? _serverAddress;
    private readonly int _serverPort;
    private readonly bool _server;

    private RpcCallTelemetry(Activity? activity, RpcInstruments instruments, string system, string method, string? serverAddress, int serverPort, bool server)
    {
        _activity = activity;
        _instruments = instruments;
        _started = Stopwatch.GetTimestamp();
        _system = system;
        _method = method;
        _serverAddress = serverAddress;
        _serverPort = serverPort;
        _server = server;
    }

    /// <summary>The span, when one is recorded: it is <see cref="Activity.Current"/> while the call runs.</summary>
    public Activity? Activity => _activity;

    public static bool ClientEnabled(RpcInstruments instruments)
        => RpcInstruments.Source.HasListeners() || instruments.ClientDuration.Enabled;

    public static bool ServerEnabled(RpcInstruments instruments)
        => RpcInstruments.Source.HasListeners() || instruments.ServerDuration.Enabled;

    public static string SystemName(RpcProtocol protocol) => protocol.Name switch
    {
        "jsonrpc" => RpcTelemetry.JsonRpcSystemName,
        "msgpackrpc" => RpcTelemetry.MsgPackRpcSystemName,
        string other => other,
    };

    /// <summary>Starts the client side of a call: a span when the source has listeners, and the clock.</summary>
    public static RpcCallTelemetry StartClient(RpcInstruments instruments, RpcProtocol protocol, RpcRequest request, string? address, int port)
    {
        string system = SystemName(protocol);
        string method = request.Method;
        Activity? activity = null;
        if (RpcInstruments.Source.HasListeners())
        {
            // What samplers may look at is given at creation, as the conventions ask.
            var tags = new List<KeyValuePair<string, object?>>(4)
            {
                new("rpc.system.name", system),
                new("rpc.method", method),
            };
            if (address is not null)
            {
                tags.Add(new("server.address", address));
                if (port > 0)
                {
                    tags.Add(new("server.port", port));
                }
            }

            activity = RpcInstruments.Source.StartActivity(method, ActivityKind.Client, parentContext: default, tags);
            AddRequestTags(activity, system, request);
        }

        return new RpcCallTelemetry(activity, instruments, system, method, address, port, server: false);
    }

    /// <summary>
    /// Starts the server side of a call: a span when the source has listeners, a child of the trace context the
    /// request carries in its own members, else of the one its transport carried, else of the current activity.
    /// </summary>
    public static RpcCallTelemetry StartServer(RpcInstruments instruments, RpcProtocol protocol, IRpcDispatcher dispatcher, RpcRequest request, object? context)
    {
        string system = SystemName(protocol);
        string original = request.Method;

        // Method names come from the client; only those the dispatcher serves are bounded enough to be a dimension.
        bool known = dispatcher is RpcDispatcher table && table.TryGetMethod(original, out _);
        string method = known ? original : OtherMethod;
        Activity? activity = null;
        if (RpcInstruments.Source.HasListeners())
        {
            ActivityContext parent = default;
            List<ActivityLink>? links = null;
            var carrier = context as IRpcTraceContextCarrier;
            request.ReadTraceContext(out string? traceParent, out string? traceState);
            if (!TryParse(traceParent, traceState, out parent)
                && carrier is { IsConnectionContext: false }
                && TryParse(carrier.TraceParent, carrier.TraceState, out ActivityContext fromTransport))
            {
                parent = fromTransport;
            }

            if (carrier is { IsConnectionContext: true } && TryParse(carrier.TraceParent, carrier.TraceState, out ActivityContext connection))
            {
                links = [new ActivityLink(connection)];
            }

            var tags = new List<KeyValuePair<string, object?>>(3)
            {
                new("rpc.system.name", system),
                new("rpc.method", method),
            };
            if (!known)
            {
                tags.Add(new("rpc.method_original", original));
            }

            activity = RpcInstruments.Source.StartActivity(known ? method : system, ActivityKind.Server, parent, tags, links);
            AddRequestTags(activity, system, request);
        }

        return new RpcCallTelemetry(activity, instruments, system, method, serverAddress: null, serverPort: 0, server: true);
    }

    private static void AddRequestTags(Activity? activity, string system, RpcRequest request)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (system == RpcTelemetry.JsonRpcSystemName)
        {
            activity.SetTag("jsonrpc.protocol.version", "2.0");
            RpcId id = request.Id;
            string? text = id.Kind switch
            {
                RpcIdKind.Number => id.ToString(),
                RpcIdKind.String => id.Text,
                _ => null, // notifications and null ids have none, as the conventions say
            };
            if (text is not null)
            {
                activity.SetTag("jsonrpc.request.id", text);
            }
        }
    }

    private static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        return traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
    }

    /// <summary>Ends the span and records the duration: <paramref name="response"/> is the reply (null for none), <paramref name="failure"/> what was thrown instead.</summary>
    public void Complete(RpcResponse? response, Exception? failure)
    {
        string? errorType = null;
        string? statusCode = null;
        string? description = null;
        if (response is RpcErrorResponse error)
        {
            statusCode = error.Code.ToString(CultureInfo.InvariantCulture);
            errorType = statusCode;
            description = error.Message;
        }
        else if (failure is not null)
        {
            errorType = failure.GetType().FullName ?? "_OTHER";
            description = failure.Message;
        }

        TimeSpan duration;
        if (_activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                if (statusCode is not null)
                {
                    activity.SetTag("rpc.status_code", statusCode);
                }

                if (errorType is not null)
                {
                    activity.SetTag("error.type", errorType);
                    activity.SetStatus(ActivityStatusCode.Error, description);
                }
            }

            activity.Stop();
            duration = activity.Duration;
        }
        else
        {
            duration = Stopwatch.GetElapsedTime(_started);
        }

        var histogram = _server ? _instruments.ServerDuration : _instruments.ClientDuration;
        if (!histogram.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "rpc.system.name", _system },
            { "rpc.method", _method },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        if (statusCode is not null)
        {
            tags.Add("rpc.status_code", statusCode);
        }

        if (_serverAddress is not null)
        {
            tags.Add("server.address", _serverAddress);
            if (_serverPort > 0)
            {
                tags.Add("server.port", _serverPort);
            }
        }

        histogram.Record(duration.TotalSeconds, tags);
    }
}
