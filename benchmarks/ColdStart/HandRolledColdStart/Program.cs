using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

// Server and client in one process: one JSON-RPC call of reverse_string over TCP on 127.0.0.1 (a free port),
// framed with a Content-Length header, the reply printed, then exit.
bool phases = Environment.GetEnvironmentVariable("COLDSTART_PHASES") is not null;
if (phases) Phase("main");
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
listener.Listen();
if (phases) Phase("set up");
Task serving = ServeAsync(listener, stop.Token);

if (phases) Phase("serving");
string result;
using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
{
    await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, stop.Token);
    if (phases) Phase("connected");
    var request = new ArrayBufferWriter<byte>(128);
    using (var writer = new Utf8JsonWriter(request))
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc"u8, "2.0"u8);
        writer.WriteString("method"u8, "reverse_string"u8);
        writer.WriteStartArray("params"u8);
        writer.WriteStringValue("Hello, World!");
        writer.WriteEndArray();
        writer.WriteNumber("id"u8, 1);
        writer.WriteEndObject();
    }

    await Framing.WriteAsync(client, request.WrittenMemory, stop.Token);
    byte[] reply = await Framing.ReadAsync(client, stop.Token) ?? throw new IOException("The server closed the connection.");
    result = ReadResult(reply);
    if (phases) Phase("replied");
}

Console.WriteLine($"Server answered: {result}");
await serving.WaitAsync(stop.Token);
if (phases) Phase("done");
return result == "!dlroW ,olleH" ? 0 : 1;

// With COLDSTART_PHASES set, prints to standard error how far into the process each step ended and how many
// methods the JIT had compiled by then (docs/benchmarks.md, cold start). Not called otherwise.
static void Phase(string step) => Console.Error.WriteLine(
    $"{step,-10} {(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds,6:F0} ms {System.Runtime.JitInfo.GetCompiledMethodCount(),5} methods jitted");

// Answers the requests of one connection until it closes.
static async Task ServeAsync(Socket listener, CancellationToken cancellationToken)
{
    using Socket connection = await listener.AcceptAsync(cancellationToken);
    connection.NoDelay = true;
    var response = new ArrayBufferWriter<byte>(128);
    while (await Framing.ReadAsync(connection, cancellationToken) is { } message)
    {
        response.ResetWrittenCount();
        Respond(message, response);
        await Framing.WriteAsync(connection, response.WrittenMemory, cancellationToken);
    }
}

// Reads {"jsonrpc":"2.0","method":...,"params":[...],"id":...} and writes the result or an error.
static void Respond(byte[] message, ArrayBufferWriter<byte> output)
{
    var reader = new Utf8JsonReader(message);
    string? method = null;
    string? argument = null;
    long id = 0;
    bool hasId = false;
    if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
    {
        throw new JsonException("A request must be an object.");
    }

    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
    {
        if (reader.ValueTextEquals("method"u8))
        {
            reader.Read();
            method = reader.GetString();
        }
        else if (reader.ValueTextEquals("params"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                argument = reader.GetString();
            }

            while (reader.TokenType != JsonTokenType.EndArray && reader.Read())
            {
            }
        }
        else if (reader.ValueTextEquals("id"u8))
        {
            reader.Read();
            hasId = reader.TryGetInt64(out id);
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    using var writer = new Utf8JsonWriter(output);
    writer.WriteStartObject();
    writer.WriteString("jsonrpc"u8, "2.0"u8);
    if (hasId)
    {
        writer.WriteNumber("id"u8, id);
    }
    else
    {
        writer.WriteNull("id"u8);
    }

    if (method == "reverse_string" && argument is not null)
    {
        char[] chars = argument.ToCharArray();
        Array.Reverse(chars);
        writer.WriteString("result"u8, chars);
    }
    else
    {
        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, -32601);
        writer.WriteString("message"u8, "Method not found"u8);
        writer.WriteEndObject();
    }

    writer.WriteEndObject();
}

// Reads the result of a response to id 1, or throws its error.
static string ReadResult(byte[] reply)
{
    var reader = new Utf8JsonReader(reply);
    string? result = null;
    string? error = null;
    long id = 0;
    reader.Read();
    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
    {
        if (reader.ValueTextEquals("result"u8))
        {
            reader.Read();
            result = reader.GetString();
        }
        else if (reader.ValueTextEquals("id"u8))
        {
            reader.Read();
            reader.TryGetInt64(out id);
        }
        else if (reader.ValueTextEquals("error"u8))
        {
            int start = (int)reader.BytesConsumed;
            reader.Read();
            reader.Skip();
            error = Encoding.UTF8.GetString(reply.AsSpan(start, (int)reader.BytesConsumed - start));
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    return id == 1 && result is not null ? result : throw new InvalidOperationException($"The server answered {error ?? "without a result"}.");
}

/// <summary>Content-Length framing: <c>Content-Length: N\r\n\r\n</c> followed by N bytes.</summary>
internal static class Framing
{
    private const int MaxMessage = 1 << 20;

    public static async Task WriteAsync(Socket socket, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        byte[] frame = new byte[32 + message.Length];
        int headerLength = Encoding.ASCII.GetBytes($"Content-Length: {message.Length}\r\n\r\n", frame);
        message.CopyTo(frame.AsMemory(headerLength));
        int sent = 0;
        int total = headerLength + message.Length;
        while (sent < total)
        {
            sent += await socket.SendAsync(frame.AsMemory(sent, total - sent), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>One message, or null when the peer closed the connection between messages.</summary>
    public static async Task<byte[]?> ReadAsync(Socket socket, CancellationToken cancellationToken)
    {
        // Headers are read a byte at a time so that nothing past them is consumed; they are short.
        byte[] header = new byte[256];
        int length = 0;
        while (length < 4 || !header.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
        {
            if (length == header.Length)
            {
                throw new InvalidDataException("The frame's headers are too long.");
            }

            if (await socket.ReceiveAsync(header.AsMemory(length, 1), SocketFlags.None, cancellationToken) == 0)
            {
                return length == 0 ? null : throw new IOException("The connection closed inside a frame's headers.");
            }

            length++;
        }

        const string Prefix = "Content-Length:";
        string headers = Encoding.ASCII.GetString(header, 0, length - 4);
        int bodyLength = -1;
        foreach (string line in headers.Split("\r\n"))
        {
            if (line.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && int.TryParse(line.AsSpan(Prefix.Length).Trim(), out int value))
            {
                bodyLength = value;
            }
        }

        if (bodyLength is < 0 or > MaxMessage)
        {
            throw new InvalidDataException("The frame has no valid Content-Length header.");
        }

        byte[] body = new byte[bodyLength];
        int read = 0;
        while (read < bodyLength)
        {
            int got = await socket.ReceiveAsync(body.AsMemory(read), SocketFlags.None, cancellationToken);
            read += got > 0 ? got : throw new IOException("The connection closed inside a frame.");
        }

        return body;
    }
}
