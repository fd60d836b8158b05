using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MessagePack;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TinyRpc.AspNetCore;
using TinyRpc.Dispatch;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.JsonRpc;
using TinyRpc.Protocols.MsgPackRpc;
using TinyRpc.Transports;

namespace TinyRpc.Fuzz;

/// <summary>One fuzz target: runs one input and throws when a promise of TinyRpc does not hold.</summary>
public sealed record Target(string Name, string Promise, Target.Body Run)
{
    public delegate void Body(ReadOnlySpan<byte> input);
}

/// <summary>A promise of TinyRpc that an input broke.</summary>
public sealed class BrokenPromiseException(string message) : Exception(message);

/// <summary>
/// The targets. Each asserts what TinyRpc promises about any input, not merely that nothing throws: a request always
/// gets a well-formed reply (or none, for notifications), a parser throws only its documented exception, the fast and
/// the thorough readers agree, and limits hold.
/// </summary>
public static class Targets
{
    private const int MaxDepth = 16;
    private const int MaxBatchLength = 8;
    private const int MaxMessageSize = 1024;

    private static readonly JsonRpcProtocol Json = new(new JsonRpcProtocolOptions { MaxDepth = MaxDepth, MaxBatchLength = MaxBatchLength });
    private static readonly MessagePackRpcProtocol MessagePack = new(new MessagePackRpcProtocolOptions { MaxDepth = MaxDepth, MaxMessageSize = MaxMessageSize });
    private static readonly RpcDispatcher Dispatcher = CreateDispatcher();

    public static readonly Target[] All =
    [
        new("json-request", "a JSON-RPC request always gets a well-formed response, batch or nothing; only BadRequestException leaves the parser", JsonRequest),
        new("json-reply", "a JSON-RPC reply parses into responses or throws InvalidReplyException, and so does reading its result", JsonReply),
        new("json-differential", "what System.Text.Json's JsonDocument refuses is a JSON-RPC parse error, and what it accepts is not", JsonDifferential),
        new("msgpack-request", "an MSGPACK-RPC request always gets a well-formed response or nothing; the one-pass and thorough readers agree", MessagePackRequest),
        new("msgpack-reply", "an MSGPACK-RPC reply parses or throws InvalidReplyException; the one-pass and thorough readers agree", MessagePackReply),
        new("framing", "Content-Length and newline framing yield messages within the size limit or RpcFramingException, whatever the read boundaries", Framing),
        new("websocket", "WebSocket messages are assembled within the size limit or refused with an exception of the transport", WebSocketMessages),
        new("websocket-server", "the WebSocket server transport assembles a client's masked frames into the messages sent, within the size limit, closes with 1009 exactly when a message passes it, and lets no exception escape", WebSocketServerMessages),
    ];

    public static Target? Find(string name) => Array.Find(All, t => t.Name == name);

    private static RpcDispatcher CreateDispatcher()
    {
        var dispatcher = new RpcDispatcher();
        dispatcher.RegisterStatic<FuzzService>();
        dispatcher.RegisterStatic<FuzzService>("svc.");
        return dispatcher;
    }

    // Everything a target drives completes at once (synchronous methods, streams over fixed bytes): an operation
    // left pending would be a hang in a real server.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "The result is read only once the operation has completed.")]
    private static T Completed<T>(ValueTask<T> operation, string what)
    {
        Require(operation.IsCompleted, what + " did not complete");
        return operation.Result;
    }

    // The WebSocket answers pings and closes on its own, through asynchronous sends: wait, but not forever.
    private static T Finished<T>(ValueTask<T> operation, string what)
    {
        Task<T> task = operation.AsTask();
        Require(((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), what + " hung for 10 s on input that was all there");
        return task.GetAwaiter().GetResult();
    }

    private static void Require(bool condition, string broken)
    {
        if (!condition)
        {
            throw new BrokenPromiseException(broken);
        }
    }

    // --- JSON-RPC ---------------------------------------------------------------------------------------------

    private static void JsonRequest(ReadOnlySpan<byte> input)
    {
        RpcMessage? reply = Serve(Json, input.ToArray());
        if (reply is null)
        {
            return;
        }

        using JsonDocument document = ParseOwnJson(reply.Serialize());
        JsonElement root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            Require(root.GetArrayLength() is > 0 and <= MaxBatchLength, $"a batch reply of {root.GetArrayLength()} responses");
            foreach (JsonElement response in root.EnumerateArray())
            {
                CheckJsonResponse(response);
            }
        }
        else
        {
            CheckJsonResponse(root);
        }
    }

    private static JsonDocument ParseOwnJson(ReadOnlyMemory<byte> reply)
    {
        try
        {
            return JsonDocument.Parse(reply, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new BrokenPromiseException($"the reply is not JSON ({e.Message}): {Encoding.UTF8.GetString(reply.Span)}");
        }
    }

    private static void CheckJsonResponse(JsonElement response)
    {
        Require(response.ValueKind == JsonValueKind.Object, $"a response that is a {response.ValueKind}");
        Require(response.TryGetProperty("jsonrpc"u8, out JsonElement version) && version.ValueKind == JsonValueKind.String && version.ValueEquals("2.0"u8), "a response without \"jsonrpc\": \"2.0\"");
        Require(response.TryGetProperty("id"u8, out JsonElement id) && id.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null, "a response without a valid id");
        bool hasResult = response.TryGetProperty("result"u8, out _);
        bool hasError = response.TryGetProperty("error"u8, out JsonElement error);
        Require(hasResult != hasError, "a response with both or neither of result and error");
        int members = response.EnumerateObject().Count();
        Require(members == 3, $"a response with {members} members");
        if (hasError)
        {
            Require(error.ValueKind == JsonValueKind.Object, "an error that is not an object");
            Require(error.TryGetProperty("code"u8, out JsonElement code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out _), "an error without an integer code");
            Require(error.TryGetProperty("message"u8, out JsonElement message) && message.ValueKind == JsonValueKind.String, "an error without a message");
        }
    }

    private static void JsonReply(ReadOnlySpan<byte> input)
    {
        RpcMessage reply;
        try
        {
            reply = Json.ParseReply(input.ToArray());
        }
        catch (InvalidReplyException)
        {
            return;
        }

        foreach (RpcResponse response in reply is RpcBatchResponse batch ? batch : (IEnumerable<RpcResponse>)[(RpcResponse)reply])
        {
            ReadResponse(response);
        }
    }

    private static void ReadResponse(RpcResponse response)
    {
        _ = response.Id.ToString();
        if (response is RpcErrorResponse error)
        {
            _ = error.Code;
            _ = error.Message;
            if (error.HasData)
            {
                Read(() => error.GetData<object>());
                Read(() => error.GetData<Dictionary<string, string>>());
            }

            Require(error.ToException() is RpcException, "an error response that is no RpcException");
            return;
        }

        Read(() => response.GetResult<object>());
        Read(() => response.GetResult<string>());
        Read(() => response.GetResult<long>());
        Read(() => response.GetResult<double>());
        Read(() => response.GetResult<int[]>());
        Read(() => response.GetResult<Dictionary<string, int>>());
    }

    // Reading a value of the wrong type from a reply is an InvalidReplyException, never anything else.
    private static void Read<T>(Func<T> read)
    {
        try
        {
            _ = read();
        }
        catch (InvalidReplyException)
        {
        }
    }

    private static void JsonDifferential(ReadOnlySpan<byte> input)
    {
        int depth = -1;
        try
        {
            using JsonDocument document = JsonDocument.Parse(input.ToArray(), new JsonDocumentOptions { MaxDepth = 1000 });
            depth = Depth(document.RootElement);
        }
        catch (JsonException)
        {
        }

        int? code = null;
        try
        {
            Json.ParseRequest(input.ToArray());
        }
        catch (BadRequestException e)
        {
            code = e.Code;
        }

        bool parseError = code == RpcErrorCodes.ParseError;
        Require(depth >= 0 || parseError, $"JsonDocument refuses the input but JSON-RPC reads it ({code?.ToString() ?? "a request"})");

        // The one deliberate difference: JSON text is UTF-8 (RFC 8259, section 8.1), and JSON-RPC checks every string
        // of the envelope, where JsonDocument leaves a string it never decodes unchecked.
        if (!Utf8.IsValid(input))
        {
            return;
        }

        // Past the depth limit the protocol refuses what JsonDocument (allowed 1,000 levels here) reads.
        Require(depth < 0 || depth >= MaxDepth - 1 || !parseError, $"JsonDocument reads the input ({depth} levels) but JSON-RPC calls it a parse error");
    }

    private static int Depth(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + element.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    // --- MSGPACK-RPC ------------------------------------------------------------------------------------------

    private static void MessagePackRequest(ReadOnlySpan<byte> input)
    {
        byte[] data = input.ToArray();
        string thorough = Outcome(() => MessagePack.ParseRequestSlowly(data));
        Require(Outcome(() => MessagePack.ParseRequest(data)) == thorough, "ParseRequest and the thorough reader disagree");
        if (Attempt(() => MessagePack.TryParseRequest(data)) is { } quick)
        {
            Require(Describe(quick) == thorough, $"the one-pass reader gives {Describe(quick)}, the thorough one {thorough}");
        }

        RpcMessage? reply = Serve(MessagePack, data);
        if (reply is not null)
        {
            CheckMessagePackResponse(reply.Serialize());
        }
    }

    private static void CheckMessagePackResponse(ReadOnlyMemory<byte> reply)
    {
        try
        {
            var reader = new MessagePackReader(reply);
            Require(reader.ReadArrayHeader() == 4, "a response that is not an array of four");
            Require(reader.ReadInt32() == MessagePackRpcProtocol.ResponseType, "a response whose type is not 1");
            // The msgid of a request that could not be read is nil: there is none to echo.
            if (!reader.TryReadNil())
            {
                _ = reader.ReadUInt32();
            }
            bool isError = !reader.TryReadNil();
            if (isError)
            {
                reader.Skip();
            }

            if (isError)
            {
                Require(reader.TryReadNil(), "an error response with a result");
            }
            else
            {
                reader.Skip();
            }

            Require(reader.End, "bytes after the response");
        }
        catch (MessagePackSerializationException e)
        {
            throw new BrokenPromiseException($"the reply is not msgpack: {e.Message}");
        }
    }

    private static void MessagePackReply(ReadOnlySpan<byte> input)
    {
        byte[] data = input.ToArray();
        string thorough = Outcome(() => MessagePack.ParseReplySlowly(data));
        Require(Outcome(() => MessagePack.ParseReply(data)) == thorough, "ParseReply and the thorough reader disagree");
        if (Attempt(() => MessagePack.TryParseReply(data)) is { } quick)
        {
            Require(Describe(quick) == thorough, $"the one-pass reader gives {Describe(quick)}, the thorough one {thorough}");
        }

        RpcMessage reply;
        try
        {
            reply = MessagePack.ParseReply(data);
        }
        catch (InvalidReplyException)
        {
            return;
        }

        ReadResponse((RpcResponse)reply);
    }

    // A one-pass reader may decline (null) but never throw: the thorough reader then decides.
    private static T? Attempt<T>(Func<T?> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e)
        {
            throw new BrokenPromiseException($"a one-pass reader threw instead of declining: {e}");
        }
    }

    private static string Outcome(Func<RpcMessage> parse)
    {
        try
        {
            return Describe(parse());
        }
        catch (Exception e) when (e is BadRequestException or InvalidReplyException)
        {
            return $"{e.GetType().Name} {(e as RpcException)?.Code} {e.Message} {(e as BadRequestException)?.RequestId}";
        }
    }

    private static string Describe(RpcMessage message) => message switch
    {
        MessagePackRpcRequest r => $"request {r.Id} {r.MessageId} {r.OneWay} {Convert.ToHexString(r.MethodUtf8)} {r.Arguments.Count} "
            + string.Join(",", Enumerable.Range(0, r.Arguments.Count).Select(i => Convert.ToHexString(((MessagePackRpcArguments)r.Arguments).GetRaw(i).Span))),
        MessagePackRpcSuccessResponse s => $"success {s.Id} {Convert.ToHexString(s.RawResult.Span)}",
        MessagePackRpcErrorResponse e => $"error {e.Id} {e.Code} {e.Message} {e.IsStandardForm} {Convert.ToHexString(e.RawError.Span)}",
        _ => message.GetType().Name,
    };

    // --- Both protocols: the server's path without its catch-all ----------------------------------------------

    // Parse, dispatch and serialize as the server does, but without the server's last-resort handler, so that an
    // exception that escapes a layer is seen here instead of being turned into an error reply.
    private static RpcMessage? Serve(RpcProtocol protocol, byte[] data)
    {
        RpcMessage request;
        try
        {
            request = protocol.ParseRequest(data);
        }
        catch (BadRequestException e)
        {
            return protocol.ErrorRespond(e) ?? throw new BrokenPromiseException("a refused request has no error response");
        }

        return Completed(Dispatcher.DispatchAsync(request), "dispatch of synchronous methods");
    }

    // --- Framing ----------------------------------------------------------------------------------------------

    // The first byte picks the framing and how many bytes each read returns (1 to 64); the rest is the stream.
    private static void Framing(ReadOnlySpan<byte> input)
    {
        // Even an empty input reaches TinyRpc's code: AFL++ refuses to start when its first run records no branch.
        byte control = input.IsEmpty ? (byte)0 : input[0];
        MessageFraming framing = (control & 0x80) == 0 ? MessageFraming.ContentLength : MessageFraming.NewlineDelimited;
        int chunk = (control & 0x3f) + 1;
        using var stream = new TrickleStream(input.IsEmpty ? [] : input[1..].ToArray(), chunk);
        var connection = new FramedConnection(stream, framing, MaxMessageSize, ownsStream: false);
        try
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (Completed(connection.ReadAsync(), "a read from a stream that completes at once") is not { } message)
                {
                    return;
                }

                Require(message.Length <= MaxMessageSize, $"a message of {message.Length} bytes passed the {MaxMessageSize}-byte limit");
            }

            throw new BrokenPromiseException("more than 10,000 messages from one input");
        }
        catch (RpcFramingException)
        {
        }
        finally
        {
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // --- WebSocket --------------------------------------------------------------------------------------------

    // The input is what a server sends a client: frames, read by the client transport's message assembly.
    private static void WebSocketMessages(ReadOnlySpan<byte> input)
    {
        // Even an empty input reaches TinyRpc's code: AFL++ refuses to start when its first run records no branch.
        int chunk = input.IsEmpty ? 1 : (input[0] & 0x3f) + 1;
        using var stream = new TrickleStream(input.IsEmpty ? [] : input[1..].ToArray(), chunk);
        using WebSocket socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var transport = new WebSocketClientTransport(socket, WebSocketMessageType.Text, MaxMessageSize);
        try
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (Finished(transport.ReceiveAsync(), "a receive") is not { } message)
                {
                    return;
                }

                Require(message.Length <= MaxMessageSize, $"a message of {message.Length} bytes passed the {MaxMessageSize}-byte limit");
            }

            throw new BrokenPromiseException("more than 10,000 messages from one input");
        }
        catch (Exception e) when (e is RpcTransportException or WebSocketException)
        {
        }
    }

    // The input is what a client sends a server (masked frames), read by the ASP.NET Core server transport through its
    // public entry point: an HttpContext whose WebSocket feature hands over a socket over these bytes.
    private static void WebSocketServerMessages(ReadOnlySpan<byte> input)
    {
        // Even an empty input reaches TinyRpc's code: AFL++ refuses to start when its first run recorded no branch.
        int chunk = input.IsEmpty ? 1 : (input[0] & 0x3f) + 1;
        byte[] frames = input.IsEmpty ? [] : input[1..].ToArray();
        using var sent = new MemoryStream();
        using var stream = new TrickleStream(frames, chunk, sent);
        using WebSocket socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var transport = new WebSocketServerTransport(new WebSocketServerOptions
        {
            MaxMessageSize = MaxMessageSize,
            MaxQueuedMessages = int.MaxValue, // every message waits in the queue until the connection has ended
            CloseTimeout = TimeSpan.FromSeconds(1),
        });
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpWebSocketFeature>(new AcceptedWebSocket(socket));

        Task connection;
        try
        {
            connection = transport.HandleAsync(context);
        }
        catch (Exception e)
        {
            throw new BrokenPromiseException($"the connection threw {e}");
        }

        Require(((IAsyncResult)connection).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "the connection hung for 10 s on input that was all there");
        Require(connection.IsCompletedSuccessfully, $"the connection ended {connection.Status}: {connection.Exception?.InnerException}");

        transport.Complete();
        var received = new List<byte[]>();
        while (Completed(transport.ReceiveMessageAsync(), "a receive from a completed transport") is { } message)
        {
            Require(message.Message.Length <= MaxMessageSize, $"a message of {message.Message.Length} bytes passed the {MaxMessageSize}-byte limit");
            received.Add(message.Message.ToArray());
        }

        // What a plain reading of RFC 6455 says the client sent, as far as it can tell without modelling every rule
        // of .NET's WebSocket (UTF-8 validation of text beyond ASCII, unusual headers).
        ClientFrames expected = ReadClientFrames(frames);
        Require(received.Count >= expected.Messages.Count, $"{received.Count} messages received of the {expected.Messages.Count} sent");
        for (int i = 0; i < expected.Messages.Count; i++)
        {
            Require(received[i].AsSpan().SequenceEqual(expected.Messages[i]), $"message {i} is not the one sent ({received[i].Length} bytes, {expected.Messages[i].Length} sent)");
        }

        // Past a frame the reading does not follow, only the size limit and the prefix above are checked.
        bool closedTooBig = ServerCloseStatuses(sent.ToArray()).Contains((int)WebSocketCloseStatus.MessageTooBig);
        if (expected.Certain)
        {
            Require(received.Count == expected.Messages.Count, $"{received.Count} messages received of the {expected.Messages.Count} sent");
            Require(closedTooBig == expected.TooBig, expected.TooBig ? "a message over the limit did not close the socket with 1009" : "a close with 1009 without a message over the limit");
        }
    }

    // The complete messages of a client's frames, whether a message went over the limit, and whether the reading is
    // certain (it followed every frame to the end of the input, a close or the limit).
    private sealed record ClientFrames(List<byte[]> Messages, bool TooBig, bool Certain);

    private static ClientFrames ReadClientFrames(byte[] data)
    {
        var messages = new List<byte[]>();
        var current = new List<byte>();
        bool inMessage = false;
        bool text = false;
        int at = 0;
        while (true)
        {
            if (data.Length - at < 2)
            {
                return new(messages, false, true);
            }

            byte first = data[at];
            byte second = data[at + 1];
            bool fin = (first & 0x80) != 0;
            int opcode = first & 0x0f;
            int length7 = second & 0x7f;
            if ((first & 0x70) != 0 || (second & 0x80) == 0 || opcode is not (0 or 1 or 2 or 8 or 9 or 10))
            {
                return new(messages, false, false);
            }

            int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
            if (data.Length - at < header + 4)
            {
                return new(messages, false, true);
            }

            long length = length7 switch
            {
                126 => (data[at + 2] << 8) | data[at + 3],
                127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(at + 2, 8)),
                _ => length7,
            };
            bool minimal = length7 switch { 126 => length >= 126, 127 => length > ushort.MaxValue && length <= int.MaxValue, _ => true };
            if (!minimal)
            {
                return new(messages, false, false);
            }

            byte[] mask = data.AsSpan(at + header, 4).ToArray();
            at += header + 4;
            int present = (int)Math.Min(length, data.Length - at);
            byte[] payload = new byte[present];
            for (int i = 0; i < present; i++)
            {
                payload[i] = (byte)(data[at + i] ^ mask[i % 4]);
            }

            at += present;
            if (opcode == 8)
            {
                return new(messages, false, true);
            }

            if (opcode is 9 or 10)
            {
                if (!fin || length > 125)
                {
                    return new(messages, false, false);
                }

                if (present < length)
                {
                    return new(messages, false, true);
                }

                continue;
            }

            if (opcode == 0 ? !inMessage : inMessage)
            {
                return new(messages, false, false);
            }

            if (opcode != 0)
            {
                inMessage = true;
                text = opcode == 1;
            }

            if (text && !Array.TrueForAll(payload, b => b < 0x80))
            {
                return new(messages, false, false);
            }

            current.AddRange(payload);
            if (current.Count > MaxMessageSize)
            {
                // .NET's WebSocket fills a receive from the stream before returning it, so a frame cut short can end
                // the connection (the client is gone) before the bytes past the limit are seen.
                return new(messages, present == length, present == length);
            }

            if (present < length)
            {
                return new(messages, false, true);
            }

            if (fin)
            {
                messages.Add([.. current]);
                current.Clear();
                inMessage = false;
            }
        }
    }

    // The status of every close frame in what the server sent (unmasked frames).
    private static List<int> ServerCloseStatuses(byte[] data)
    {
        var statuses = new List<int>();
        int at = 0;
        while (data.Length - at >= 2)
        {
            int opcode = data[at] & 0x0f;
            int length7 = data[at + 1] & 0x7f;
            int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
            long length = length7 switch
            {
                126 => (data[at + 2] << 8) | data[at + 3],
                127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(at + 2, 8)),
                _ => length7,
            };
            Require((data[at + 1] & 0x80) == 0 && data.Length - at >= header + length, "the server sent a frame that is masked or cut short");
            if (opcode == 8 && length >= 2)
            {
                statuses.Add((data[at + header] << 8) | data[at + header + 1]);
            }

            at += header + (int)length;
        }

        Require(at == data.Length, "the server sent a frame that is cut short");
        return statuses;
    }

    /// <summary>The WebSocket feature of an upgrade request that has been accepted with the given socket.</summary>
    private sealed class AcceptedWebSocket(WebSocket socket) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => true;

        public Task<WebSocket> AcceptAsync(WebSocketAcceptContext context) => Task.FromResult(socket);
    }
}

/// <summary>
/// A stream over fixed bytes that returns at most <c>chunk</c> bytes a read, and copies writes into <c>sink</c> (or
/// swallows them).
/// </summary>
internal sealed class TrickleStream(byte[] data, int chunk, Stream? sink = null) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => sink?.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
