using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;

namespace TinyRpc.Dispatch;

/// <summary>
/// Maps public names to methods and turns requests into responses (tinyrpc's <c>RPCDispatcher</c>).
/// <see cref="DispatchAsync(RpcMessage, CancellationToken)"/> never throws: every failure becomes an error response.
/// </summary>
/// <remarks>
/// Lookup follows tinyrpc 1.1's <c>get_method</c>: the dispatcher's own methods first, then the subdispatchers
/// grouped by prefix, the prefixes in the order each was first added and, within a prefix, the subdispatchers in
/// the order they were added; of those whose prefix starts the name, the first that has the rest of the name
/// serves it. A name two subdispatchers could serve is served by the first in that order; the other is shadowed.
/// Names are matched without allocating.
/// </remarks>
public partial class RpcDispatcher : IRpcDispatcher
{
    // Every request reads these without a lock; registration, which is rare, copies them under _gate and
    // publishes the copy.
    private volatile Dictionary<string, RpcMethod> _methods = new(StringComparer.Ordinal);
    private volatile (string Prefix, RpcDispatcher Dispatcher)[] _subdispatchers = [];
    private readonly Lock _gate = new();

    // Moved on by every registration here, so that a flattened table that took this dispatcher in is rebuilt on
    // its next use. A request reads the version of each dispatcher its table was built from (usually two or three).
    private int _version;
    private volatile Utf8MethodTable? _utf8Methods;

    /// <summary>Creates an empty dispatcher.</summary>
    public RpcDispatcher()
    {
    }

    /// <summary>
    /// Checks arguments before each call; <see cref="ValidateParameters"/> by default. Set to null to
    /// switch validation off (arguments are still decoded, and a missing or mistyped one still fails).
    /// </summary>
    public RpcParameterValidator? Validator { get; set; } = ValidateParameters;

    /// <summary>
    /// When true, errors of unexpected (non-RPC) exceptions carry the exception type and stack trace as data.
    /// Off by default: such details stay on the server.
    /// </summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>
    /// When set, invokes every method in place of the dispatcher's direct call (tinyrpc's <c>caller</c>
    /// argument of <c>dispatch</c>): the place for logging, authorization or metrics around calls.
    /// </summary>
    public RpcMethodCaller? Caller { get; set; }

    /// <summary>
    /// Where the dispatcher reports what a client sees only as an error reply: a result that could not be written
    /// (code -32603; logged as an error with the method name and the exception, on every occurrence), and an
    /// exception other than an <see cref="RpcException"/> thrown by a method (logged as a warning), and any exception
    /// thrown by a method called by a notification (logged as an error: no reply carries it). None by default.
    /// The events are listed in docs/logging.md.
    /// Errors of methods registered on subdispatchers are reported by the dispatcher the request was given to.
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// The names of this dispatcher's own methods (not those of subdispatchers); <see cref="GetAllMethods"/> lists
    /// every method served, subdispatchers included.
    /// </summary>
    public IReadOnlyCollection<string> MethodNames => _methods.Keys.ToArray();

    /// <summary>Adds a method under its <see cref="RpcMethod.Name"/>.</summary>
    /// <exception cref="RpcException">The name is already registered.</exception>
    public void AddMethod(RpcMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        lock (_gate)
        {
            if (_methods.ContainsKey(method.Name))
            {
                throw new RpcException($"Name '{method.Name}' is already registered.");
            }

            _methods = new Dictionary<string, RpcMethod>(_methods, StringComparer.Ordinal) { [method.Name] = method };
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Adds a handler that reads the request itself, under <paramref name="name"/>.</summary>
    /// <exception cref="RpcException">The name is already registered.</exception>
    public void AddMethod(string name, RpcMethodHandler handler, IReadOnlyList<RpcParameter>? parameters = null)
        => AddMethod(new RpcMethod(name, parameters ?? [], handler));

    /// <summary>
    /// Adds a delegate (a lambda or method group) under <paramref name="name"/>, or under the method's own name
    /// (tinyrpc's <c>add_method</c> and <c>@dispatcher.public</c>).
    /// </summary>
    /// <remarks>
    /// This is the seam the source generator fills: in a project that references the generator, each call to
    /// this method is intercepted at compile time and replaced by a generated, reflection-free invoker. Without
    /// the generator the delegate is inspected and invoked through reflection, which trimming and NativeAOT do
    /// not support.
    /// </remarks>
    /// <exception cref="RpcException">The name is already registered.</exception>
    [RequiresUnreferencedCode("Without the TinyRpc source generator the delegate is invoked through reflection.")]
    [RequiresDynamicCode("Without the TinyRpc source generator the delegate is invoked through reflection.")]
    public void AddMethod(Delegate method, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        AddMethod(ReflectionMethod.Create(method, name));
    }

    /// <summary>
    /// Adds <paramref name="dispatcher"/>'s methods, available as <paramref name="prefix"/> + their names
    /// (tinyrpc's <c>add_subdispatch</c>). It is searched after the subdispatchers added before it under the same
    /// prefix, and before those of prefixes first added after that prefix (see <see cref="RpcDispatcher"/>).
    /// </summary>
    public void AddSubdispatcher(RpcDispatcher dispatcher, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(prefix);
        if (ReferenceEquals(dispatcher, this))
        {
            throw new ArgumentException("A dispatcher cannot be its own subdispatcher.", nameof(dispatcher));
        }

        if (dispatcher.Reaches(this))
        {
            throw new ArgumentException("This dispatcher is already a subdispatcher of the one being added: the cycle would make lookups endless.", nameof(dispatcher));
        }

        lock (_gate)
        {
            // Kept in tinyrpc's search order, so that the walking lookup and the flattened table need only follow
            // the array: tinyrpc groups subdispatchers by prefix ({prefix: [dispatchers]}, prefixes in the order
            // each was first used), so a newcomer goes after the last one with its prefix, or at the end.
            (string Prefix, RpcDispatcher Dispatcher)[] current = _subdispatchers;
            int at = current.Length;
            for (int i = current.Length - 1; i >= 0; i--)
            {
                if (string.Equals(current[i].Prefix, prefix, StringComparison.Ordinal))
                {
                    at = i + 1;
                    break;
                }
            }

            _subdispatchers = [.. current.AsSpan(0, at), (prefix, dispatcher), .. current.AsSpan(at)];
            Interlocked.Increment(ref _version);
        }
    }

    private bool Reaches(RpcDispatcher target)
    {
        var seen = new HashSet<RpcDispatcher>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<RpcDispatcher>();
        pending.Push(this);
        while (pending.TryPop(out RpcDispatcher? current))
        {
            if (ReferenceEquals(current, target))
            {
                return true;
            }

            if (seen.Add(current))
            {
                foreach ((_, RpcDispatcher sub) in current._subdispatchers)
                {
                    pending.Push(sub);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Registers every public method of <paramref name="instance"/> on a new subdispatcher with
    /// <paramref name="prefix"/> (tinyrpc's <c>register_instance</c>). The table is the generated one,
    /// found by generic static dispatch.
    /// </summary>
    public void RegisterInstance<TService>(TService instance, string prefix = "")
        where TService : IRpcService<TService>
    {
        ArgumentNullException.ThrowIfNull(instance);
        RegisterMethods(TService.RpcTable.Methods.Select(m => m.Bind(instance)), prefix, TService.RpcTable.OpenRpcDocument);
    }

    /// <summary>
    /// Registers every public method of <typeparamref name="TService"/> on a new subdispatcher with
    /// <paramref name="prefix"/>, each call running on an instance made for it by <paramref name="factory"/> (see
    /// <see cref="RpcMethodDescriptor{TService}.BindPerCall"/>):
    /// a dependency-injection scope per call, for instance. The table is the generated one, found by generic static dispatch.
    /// </summary>
    public void RegisterPerCall<TService>(Func<RpcRequest, (TService Instance, IAsyncDisposable? Lease)> factory, string prefix = "")
        where TService : IRpcService<TService>
    {
        ArgumentNullException.ThrowIfNull(factory);
        RegisterMethods(TService.RpcTable.Methods.Select(m => m.BindPerCall(factory)), prefix, TService.RpcTable.OpenRpcDocument);
    }

    /// <summary>
    /// Registers the static public methods of <typeparamref name="TService"/> on a new subdispatcher with <paramref name="prefix"/>.
    /// </summary>
    public void RegisterStatic<TService>(string prefix = "")
        where TService : IRpcService<TService>
        => RegisterMethods(TService.RpcTable.Methods.Where(static m => m.IsStatic).Select(static m => m.Bind(default!)), prefix, TService.RpcTable.OpenRpcDocument);

    /// <summary>
    /// Registers every public method of <paramref name="instance"/> on a new subdispatcher with <paramref name="prefix"/>,
    /// finding the generated table of its runtime type in the registry the generated code fills at start-up.
    /// </summary>
    /// <exception cref="ArgumentException">No generated table exists for the instance's type.</exception>
    public void RegisterInstance(object instance, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!RpcServiceRegistry.TryBind(instance, "", out IEnumerable<RpcMethod> methods, out string? document))
        {
            throw new ArgumentException(
                $"{instance.GetType().Name} has no generated dispatch table: mark it [RpcService], make it partial, and mark its methods [Public].",
                nameof(instance));
        }

        RegisterMethods(methods, prefix, document);
    }

    private void RegisterMethods(IEnumerable<RpcMethod> methods, string prefix, string? openRpcDocument)
    {
        var sub = new RpcDispatcher { Validator = Validator, IncludeExceptionDetails = IncludeExceptionDetails, _openRpcDocument = openRpcDocument };
        foreach (RpcMethod method in methods)
        {
            sub.AddMethod(method);
        }

        AddSubdispatcher(sub, prefix);
    }

    /// <summary>Finds the method registered as <paramref name="name"/> (tinyrpc's <c>get_method</c>).</summary>
    /// <exception cref="MethodNotFoundException">No such method.</exception>
    public RpcMethod GetMethod(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGetMethod(name.AsSpan(), out RpcMethod? method) ? method : throw new MethodNotFoundException(name);
    }

    /// <summary>Finds the method registered as <paramref name="name"/>.</summary>
    public bool TryGetMethod(ReadOnlySpan<char> name, [NotNullWhen(true)] out RpcMethod? method)
    {
        if (_methods.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out method))
        {
            return true;
        }

        foreach ((string prefix, RpcDispatcher dispatcher) in _subdispatchers)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && dispatcher.TryGetMethod(name[prefix.Length..], out method))
            {
                return true;
            }
        }

        method = null;
        return false;
    }

    private bool TryGetMethod(RpcRequest request, [NotNullWhen(true)] out RpcMethod? method)
    {
        ReadOnlySpan<byte> utf8 = request.MethodUtf8;
        if (!utf8.IsEmpty)
        {
            Utf8MethodTable? table = _utf8Methods;
            if (table is null || !table.IsCurrent)
            {
                table = BuildUtf8Table();
            }

            if (table.IsComplete)
            {
                return table.TryGetValue(utf8, out method);
            }
        }

        return TryGetMethod(request.Method.AsSpan(), out method);
    }

    // Flattens this dispatcher and its subdispatchers into one table keyed by the full UTF-8 name, in lookup
    // order (own methods first, then each subdispatcher in the array's order, which is tinyrpc's; the first to
    // claim a name keeps it, as the walking lookup would), so that a
    // request's name is found with one hash of its bytes, without decoding and without walking the prefixes.
    private Utf8MethodTable BuildUtf8Table()
    {
        var sources = new Dictionary<RpcDispatcher, int>(ReferenceEqualityComparer.Instance);
        var names = new Dictionary<string, RpcMethod>(StringComparer.Ordinal);
        int budget = MaxFlattenedEntries;
        bool complete = Flatten(this, "", names, sources, depth: 0, ref budget);
        var table = new Utf8MethodTable([.. sources.Select(static s => (s.Key, s.Value))], complete, names);
        _utf8Methods = table;
        return table;
    }

    // A dispatcher shared under many prefixes at many levels multiplies its names; past this many the walking
    // lookup, which only follows matching prefixes, is kept instead.
    private const int MaxFlattenedEntries = 100_000;

    private static bool Flatten(RpcDispatcher dispatcher, string prefix, Dictionary<string, RpcMethod> names,
        Dictionary<RpcDispatcher, int> sources, int depth, ref int budget)
    {
        // The version is read before the tables: a registration that lands meanwhile makes the table stale.
        sources.TryAdd(dispatcher, Volatile.Read(ref dispatcher._version));
        if (depth > 32)
        {
            return false; // nesting deeper than anyone writes: keep the walking lookup
        }

        Dictionary<string, RpcMethod> methods = dispatcher._methods;
        budget -= methods.Count;
        if (budget < 0)
        {
            return false;
        }

        foreach (KeyValuePair<string, RpcMethod> entry in methods)
        {
            names.TryAdd(prefix + entry.Key, entry.Value);
        }

        foreach ((string subPrefix, RpcDispatcher sub) in dispatcher._subdispatchers)
        {
            if (!Flatten(sub, prefix + subPrefix, names, sources, depth + 1, ref budget))
            {
                return false;
            }
        }

        return true;
    }

    internal int Version => Volatile.Read(ref _version);

    /// <summary>
    /// The default validator (tinyrpc's <c>validate_parameters</c>): no more positional arguments than
    /// parameters (unless the last is a <c>params</c> array), no unknown names, and every required parameter given.
    /// </summary>
    /// <exception cref="InvalidParamsException">The arguments do not fit; the message says why.</exception>
    public static void ValidateParameters(RpcMethod method, RpcArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(arguments);
        IReadOnlyList<RpcParameter> parameters = method.Parameters;
        if (arguments.IsNamed)
        {
            // Indexed loops: this runs for every call, and must not allocate.
            for (int i = 0; i < arguments.Count; i++)
            {
                string name = arguments.GetName(i);
                if (!HasParameter(parameters, name))
                {
                    throw new InvalidParamsException(name, $"is not a parameter of {method}");
                }
            }

            for (int i = 0; i < parameters.Count; i++)
            {
                RpcParameter p = parameters[i];
                if (!p.IsOptional && !p.IsParamArray && !arguments.Contains(p.Name))
                {
                    throw new InvalidParamsException(p.Name, "is missing");
                }
            }

            return;
        }

        int count = arguments.Count;
        if (!method.IsVariadic && count > method.FixedCount)
        {
            throw new InvalidParamsException($"Invalid params: {method.Name} takes {method.FixedCount} argument(s), {count} given");
        }

        for (int i = count; i < method.RequiredPositionalCount; i++)
        {
            if (!parameters[i].IsOptional)
            {
                throw new InvalidParamsException(parameters[i].Name, "is missing");
            }
        }
    }

    private static bool HasParameter(IReadOnlyList<RpcParameter> parameters, string name)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            if (string.Equals(parameters[i].Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Handles a request or a batch (tinyrpc's <c>dispatch</c>) and returns the response, a batch response,
    /// or null when nothing is to be sent (notifications). Never throws.
    /// </summary>
    /// <param name="message">An <see cref="RpcRequest"/> or <see cref="RpcBatchRequest"/>.</param>
    /// <param name="cancellationToken">Passed to methods that take a CancellationToken.</param>
    public async ValueTask<RpcMessage?> DispatchAsync(RpcMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case RpcRequest request:
                return await DispatchAsync(request, cancellationToken).ConfigureAwait(false);

            case RpcBatchRequest batch:
                return await BatchDispatch.DispatchAsync(this, batch, cancellationToken).ConfigureAwait(false);

            default:
                throw new ArgumentException($"Cannot dispatch a {message.GetType().Name}.", nameof(message));
        }
    }

    /// <summary>Handles one request and returns its response, or null for a notification. Never throws.</summary>
    public ValueTask<RpcResponse?> DispatchAsync(RpcRequest request, CancellationToken cancellationToken = default)
    {
        RpcMethodCaller? caller = Caller;
        ArgumentNullException.ThrowIfNull(request);
        RpcMethod? method;
        try
        {
            if (!TryGetMethod(request, out method) && !TryGetDiscoverMethod(request, out method))
            {
                return new(request.ErrorRespond(new MethodNotFoundException(request.Method)));
            }

            Validator?.Invoke(method, request.Arguments);
            ValueTask<RpcResponse?> pending = caller is null ? method.Handler(request, cancellationToken) : caller(method, request, cancellationToken);
            if (pending.IsCompletedSuccessfully)
            {
                return new(pending.Result);
            }

            return AwaitAsync(pending, request, cancellationToken);
        }
        catch (Exception e)
        {
            return new(ErrorResponse(request, e, cancellationToken));
        }
    }

    /// <summary>Handles one request synchronously (blocks on asynchronous methods). Never throws.</summary>
    public RpcResponse? Dispatch(RpcRequest request)
    {
        ValueTask<RpcResponse?> pending = DispatchAsync(request);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private async ValueTask<RpcResponse?> AwaitAsync(ValueTask<RpcResponse?> pending, RpcRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return ErrorResponse(request, e, cancellationToken);
        }
    }

    private RpcErrorResponse? ErrorResponse(RpcRequest request, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // The method gave up because its call was cancelled (by its caller, the connection's end, a stopping
            // server): that is the answer, not a failure of the method.
            return request.ErrorRespond(new RequestCancelledException(exception));
        }

        if (Logger is { } logger)
        {
            if (request.OneWay)
            {
                // A notification has no reply to carry any error: the log is the only place it can be seen.
                DispatcherLog.NotificationFailed(logger, request.Method, exception);
            }
            else if (exception is RpcResultException)
            {
                DispatcherLog.ResultNotWritten(logger, request.Method, exception.InnerException ?? exception);
            }
            else if (exception is not RpcException)
            {
                DispatcherLog.MethodFailed(logger, request.Method, exception);
            }
        }

        try
        {
            Exception sent = exception switch
            {
                RpcResultException => IncludeExceptionDetails ? WithDetails(exception, RpcErrorCodes.InternalError) : new ServerException(RpcErrorCodes.InternalError, "Internal error"),
                RpcException => exception,
                _ when IncludeExceptionDetails => WithDetails(exception, RpcErrorCodes.ServerError),
                _ => new ServerException(exception.Message),
            };
            return request.ErrorRespond(sent);
        }
        catch (Exception)
        {
            // Writing the error itself failed (its data could not be serialized): fall back to the bare minimum.
            return request.ErrorRespond(new ServerException());
        }
    }

    private static ServerException WithDetails(Exception exception, int code)
    {
        Exception inner = exception is RpcResultException { InnerException: { } cause } ? cause : exception;
        return new ServerException(code, inner.Message, new Dictionary<string, object?>
        {
            ["type"] = inner.GetType().FullName,
            ["stackTrace"] = inner.StackTrace,
        });
    }
}

/// <summary>The dispatcher's log messages.</summary>
internal static partial class DispatcherLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "The result of {Method} could not be written: the caller gets -32603 Internal error")]
    public static partial void ResultNotWritten(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Method} threw an exception that is not an RpcException")]
    public static partial void MethodFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "The notification {Method} failed; a notification has no reply, so its caller is not told")]
    public static partial void NotificationFailed(ILogger logger, string method, Exception exception);
}
