using System.Buffers;
using System.Text;
using MessagePack;
using TinyRpc.Exceptions;
using TinyRpc.Protocols;
using TinyRpc.Protocols.MsgPackRpc;

namespace TinyRpc.MessagePack.Tests;

/// <summary>
/// The one-pass readers and the direct writers agree with the thorough ones: every message is accepted or
/// refused the same way, with the same error, and every value is written byte for byte as MessagePackWriter does.
/// </summary>
public class OnePassTests
{
    private static readonly string[] ValidRequests =
    [
        "94 00 07 a3616464 94 01 9202a178 81a16bc0 cb3ff8000000000000", // [0, 7, "add", [1, [2, "x"], {"k": nil}, 1.5]]
        "94 00 cc 80 a16d 95 01 02 03 04 05", // five arguments: more than are kept without an array
        "94 00 cd 1234 d9 03 616263 dc 0002 c3 c2", // msgid uint16, method str8, params array16
        "94 00 ce ffffffff a0 dd 00000001 c4 02 0102", // msgid uint32, empty method, params array32, bin8
        "93 02 a46e6f7465 92 d6 ff 00000000 c7 01 05 aa", // notification with extensions
        "94 00 01 a16d 91 de 0001 a16b dc 0001 91 90", // map16 and array16 inside an argument
        "94 00 01 a16d 93 d0 80 d1 8000 d2 80000000", // negative integers
        "94 00 01 a16d 92 cf 0000000100000000 d3 8000000000000000", // 64-bit integers
        "94 00 01 a16d 91 a6 c3a9c3a9c3a9", // "ééé"
    ];

    private static readonly string[] ValidReplies =
    [
        "94 01 07 c0 93 01 a178 81a16bcb3ff8000000000000",
        "94 01 c0 c0 c0",
        "94 01 cd 1234 c0 d9 03 616263",
        "94 01 ce ffffffff c0 dd 00000002 90 80",
        "94 01 07 92 63 a4 6f6f7073 c0",
    ];

    private static readonly byte[] Replacements =
        [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x91, 0x9f, 0xa0, 0xa1, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xc6, 0xc7, 0xc9, 0xca,
         0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    [Fact]
    public void The_quick_check_accepts_exactly_what_the_thorough_one_accepts()
    {
        int checkedCount = 0;
        foreach (byte[] message in Corpus(ValidRequests.Concat(ValidReplies)))
        {
            foreach (int maxDepth in new[] { 2, 3, 4, 64, 200 })
            {
                int position = 0;
                bool quick = MessagePackScanner.TrySkip(message, ref position, 0, maxDepth) && position == message.Length;
                string? problem = MessagePackScanner.Validate(message, maxDepth);
                Assert.True(quick == (problem is null), $"{Hex.Of(message)} at depth {maxDepth}: quick {quick}, thorough {problem ?? "valid"}");
                checkedCount++;
            }
        }

        // Random bytes, mostly malformed, with a fixed seed so that a failure repeats.
        var random = new Random(20240611);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] message = new byte[random.Next(1, 24)];
            random.NextBytes(message);
            int position = 0;
            bool quick = MessagePackScanner.TrySkip(message, ref position, 0, 4) && position == message.Length;
            Assert.True(quick == (MessagePackScanner.Validate(message, 4) is null), Hex.Of(message));
        }

        Assert.True(checkedCount > 10_000);
    }

    [Fact]
    public void Requests_parse_in_one_pass_as_they_do_when_checked_whole_first()
    {
        var protocol = new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxDepth = 6 });
        int quick = 0;
        foreach (byte[] message in Corpus(ValidRequests))
        {
            string slow = Outcome(() => protocol.ParseRequestSlowly(message));
            Assert.Equal(slow, Outcome(() => protocol.ParseRequest(message)));
            if (protocol.TryParseRequest(message) is { } parsed)
            {
                Assert.Equal(slow, Describe(parsed));
                quick++;
            }
        }

        Assert.True(quick > 100, $"only {quick} messages took the one-pass way");
        foreach (string hex in ValidRequests)
        {
            Assert.NotNull(protocol.TryParseRequest(Hex.Bytes(hex)));
        }
    }

    [Fact]
    public void Replies_parse_in_one_pass_as_they_do_when_checked_whole_first()
    {
        var protocol = new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxDepth = 4 });
        int quick = 0;
        foreach (byte[] message in Corpus(ValidReplies))
        {
            string slow = Outcome(() => protocol.ParseReplySlowly(message));
            Assert.Equal(slow, Outcome(() => protocol.ParseReply(message)));
            if (protocol.TryParseReply(message) is { } parsed)
            {
                Assert.Equal(slow, Describe(parsed));
                quick++;
            }
        }

        Assert.True(quick > 50, $"only {quick} replies took the one-pass way");
    }

    public static TheoryData<string, string> MalformedInTheUsualForm => new()
    {
        { "invalid UTF-8 in a nested string", "94 00 07 a16d 91 92 01 a1 ff" },
        { "invalid UTF-8 in a str8 method", "94 00 07 d9 02 c328 90" },
        { "a truncated binary argument", "94 00 07 a16d 91 c4 05 0102" },
        { "a truncated extension argument", "94 00 07 a16d 91 c7 05 01 0102" },
        { "a truncated fixext argument", "94 00 07 a16d 91 d6 01 0102" },
        { "a truncated float argument", "94 00 07 a16d 91 cb 3ff0" },
        { "a truncated uint16 msgid", "94 00 cd 12" },
        { "a truncated str8 method header", "94 00 07 d9" },
        { "a method longer than the message", "94 00 07 a5 6162 90" },
        { "params array16 claiming more than follows", "94 00 07 a16d dc 0100 01 02" },
        { "five arguments, the last missing", "94 00 07 a16d 95 01 02 03 04" },
        { "an argument map claiming billions", "94 00 07 a16d 91 df 7fffffff 01 02" },
        { "a reserved code in an argument", "94 00 07 a16d 92 01 c1" },
        { "a byte after the params", "94 00 07 a16d 91 01 01" },
        { "an argument nested too deep", "94 00 07 a16d 91 91 91 91 90" },
    };

    [Theory]
    [MemberData(nameof(MalformedInTheUsualForm))]
    public void Malformed_requests_in_the_usual_form_are_still_parse_errors(string name, string hex)
    {
        var protocol = new MessagePackRpcProtocol(new MessagePackRpcProtocolOptions { MaxDepth = 5 });
        byte[] data = Hex.Bytes(hex);
        Assert.Null(protocol.TryParseRequest(data));
        MessagePackRpcParseException error = Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(data));
        Assert.True(RpcErrorCodes.ParseError == error.Code, name);
    }

    [Fact]
    public void Messages_in_wider_encodings_are_read_the_thorough_way()
    {
        var protocol = new MessagePackRpcProtocol();
        // [1, 7, nil, "ok"] with an array16 envelope and 64-bit integers.
        byte[] reply = Hex.Bytes("dc 0004 cf 0000000000000001 cf 0000000000000007 c0 a2 6f6b");
        Assert.Null(protocol.TryParseReply(reply));
        var success = Assert.IsType<MessagePackRpcSuccessResponse>(protocol.ParseReply(reply));
        Assert.Equal(RpcId.FromNumber(7), success.Id);
        Assert.Equal("a26f6b", Hex.Of(success.RawResult));
        Assert.Equal("ok", success.GetResult<string>());

        // [0, 7, "m", [1]] the same way.
        byte[] request = Hex.Bytes("dd 00000004 d3 0000000000000000 d2 00000007 db 00000001 6d dd 00000001 01");
        Assert.Null(protocol.TryParseRequest(request));
        var parsed = Assert.IsType<MessagePackRpcRequest>(protocol.ParseRequest(request));
        Assert.Equal(7u, parsed.MessageId);
        Assert.Equal("m", parsed.Method);
        Assert.True(parsed.Arguments.TryGet(0, "a", out int a) && a == 1);
        Assert.Equal("940107c0c3", Hex.Of(parsed.Respond(true)!.Serialize()));
    }

    [Fact]
    public void Five_or_more_arguments_are_read_by_index()
    {
        var protocol = new MessagePackRpcProtocol();
        RpcRequest built = protocol.CreateRequestBuilder("m").Add(1).Add("two").Add(3L).Add(true).Add(5.5).Add<string?>(null).Build();
        var request = Assert.IsType<MessagePackRpcRequest>(protocol.ParseRequest(built.Serialize()));
        RpcArguments args = request.Arguments;
        Assert.Equal(6, args.Count);
        Assert.True(args.TryGet(0, "a", out int a) && a == 1);
        Assert.True(args.TryGet(1, "b", out string? b) && b == "two");
        Assert.True(args.TryGet(2, "c", out long c) && c == 3);
        Assert.True(args.TryGet(3, "d", out bool d) && d);
        Assert.True(args.TryGet(4, "e", out double e) && e == 5.5);
        Assert.True(args.IsNull(5));
        Assert.True(args.TryGet(5, "f", out string? f) && f is null);
        Assert.False(args.TryGet(6, "g", out int _));

        // Many parameters: the offsets are gathered in growing steps.
        RpcRequestBuilder many = protocol.CreateRequestBuilder("m");
        for (int i = 0; i < 300; i++)
        {
            many.Add(i);
        }

        byte[] manyBytes = many.Build().Serialize().ToArray();
        RpcArguments manyArgs = Assert.IsType<MessagePackRpcRequest>(protocol.TryParseRequest(manyBytes)).Arguments;
        Assert.Equal(300, manyArgs.Count);
        for (int i = 0; i < 300; i++)
        {
            Assert.True(manyArgs.TryGet(i, "p", out int value) && value == i);
        }

        Assert.Null(protocol.TryParseRequest(manyBytes.AsMemory(0, manyBytes.Length - 1)));
        Assert.Throws<MessagePackRpcParseException>(() => protocol.ParseRequest(manyBytes.AsMemory(0, manyBytes.Length - 1)));

        // Few parameters in a message over 64 KiB: the offsets do not fit 16 bits.
        string big = new('x', 70_000);
        RpcRequest large = protocol.CreateRequestBuilder("m").Add(big).Add(7).Build();
        var parsedLarge = Assert.IsType<MessagePackRpcRequest>(protocol.TryParseRequest(large.Serialize()));
        Assert.True(parsedLarge.Arguments.TryGet(0, "s", out string? s) && s == big);
        Assert.True(parsedLarge.Arguments.TryGet(1, "n", out int n) && n == 7);
        Assert.False(parsedLarge.Arguments.IsNull(1));
    }

    public static TheoryData<long> Integers => new()
    {
        0, 1, 31, 32, 127, 128, 255, 256, 65535, 65536, int.MaxValue, uint.MaxValue, (long)uint.MaxValue + 1, long.MaxValue,
        -1, -31, -32, -33, -127, -128, -129, -32768, -32769, int.MinValue, (long)int.MinValue - 1, long.MinValue,
    };

    [Theory]
    [MemberData(nameof(Integers))]
    public void Integers_are_written_as_MessagePackWriter_writes_them(long value)
    {
        Assert.Equal(Written((ref MessagePackWriter w) => w.Write(value)), Hex.Of(Direct(value)));
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Assert.Equal(Written((ref MessagePackWriter w) => w.Write((int)value)), Hex.Of(Direct((int)value)));
        }

        if (value is >= 0 and <= uint.MaxValue)
        {
            Assert.Equal(Written((ref MessagePackWriter w) => w.Write((uint)value)), Hex.Of(Direct((long)(uint)value)));
        }

        // Read back from a request, and answered in a reply.
        var protocol = new MessagePackRpcProtocol();
        RpcRequest request = (RpcRequest)protocol.ParseRequest(protocol.CreateRequestBuilder("m").Add(value).Build().Serialize());
        Assert.True(request.Arguments.TryGet(0, "v", out long read) && read == value);
        Assert.Equal(value, ((RpcResponse)protocol.ParseReply(request.Respond(value)!.Serialize())).GetResult<long>());
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Assert.True(request.Arguments.TryGet(0, "v", out int narrow) && narrow == value);
        }
        else
        {
            Assert.Throws<InvalidParamsException>(() => request.Arguments.TryGet(0, "v", out int _));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(65535)]
    [InlineData(65536)]
    public void Strings_and_other_primitives_are_written_as_MessagePackWriter_writes_them(int length)
    {
        foreach (string text in new[] { new string('a', length), string.Concat(Enumerable.Repeat("é", length / 2)), string.Concat(Enumerable.Repeat("😀", length / 4)) })
        {
            Assert.Equal(Written((ref MessagePackWriter w) => w.Write(text)), Hex.Of(Direct(text)));
            var protocol = new MessagePackRpcProtocol();
            RpcRequest request = (RpcRequest)protocol.ParseRequest(protocol.CreateRequestBuilder(text).Add(text).Build().Serialize());
            Assert.Equal(text, request.Method);
            Assert.True(request.Arguments.TryGet(0, "s", out string? read) && read == text);
            Assert.Equal(text, ((RpcResponse)protocol.ParseReply(request.Respond(text)!.Serialize())).GetResult<string>());
        }

        Assert.Equal(Written((ref MessagePackWriter w) => w.WriteNil()), Hex.Of(Direct<string?>(null)));
        Assert.Equal(Written((ref MessagePackWriter w) => w.Write(true)), Hex.Of(Direct(true)));
        Assert.Equal(Written((ref MessagePackWriter w) => w.Write(false)), Hex.Of(Direct(false)));
        Assert.Equal(Written((ref MessagePackWriter w) => w.Write(-2.5)), Hex.Of(Direct(-2.5)));
        Assert.Equal(Written((ref MessagePackWriter w) => w.Write(double.NaN)), Hex.Of(Direct(double.NaN)));
    }

    [Fact]
    public void Requests_and_replies_are_the_same_bytes_as_written_by_MessagePackWriter()
    {
        var protocol = TestProtocols.WithResolver();
        protocol.SetLastId(299);
        RpcRequest request = protocol.CreateRequestBuilder("método").Add(1).Add("x").Add(new Point(3, 4)).Add(new[] { 1, 2 }).Build();
        string expected = Written((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(0);
            w.Write(300u);
            w.Write("método");
            w.WriteArrayHeader(4);
            w.Write(1);
            w.Write("x");
            w.WriteArrayHeader(2);
            w.Write(3);
            w.Write(4);
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write(2);
        });
        Assert.Equal(expected, Hex.Of(request.Serialize()));
        Assert.Equal("método", Encoding.UTF8.GetString(request.MethodUtf8));

        RpcRequest parsed = (RpcRequest)protocol.ParseRequest(request.Serialize());
        Assert.Equal("9401cd012cc0920304", Hex.Of(parsed.Respond(new Point(3, 4))!.Serialize()));
        Assert.Equal("9401cd012cc0c0", Hex.Of(parsed.Respond()!.Serialize()));
        var reply = Assert.IsType<MessagePackRpcSuccessResponse>(protocol.ParseReply(parsed.Respond(new Point(3, 4))!.Serialize()));
        Assert.Equal(RpcId.FromNumber(300), reply.Id);
        Assert.Equal("920304", Hex.Of(reply.RawResult));
        Assert.Equal(new Point(3, 4), reply.GetResult<Point>());

        RpcRequest notification = protocol.CreateRequestBuilder("n", oneWay: true).Build();
        Assert.Equal("9302a16e90", Hex.Of(notification.Serialize()));
    }

    [Fact]
    public void Builders_in_use_at_once_on_one_thread_keep_their_own_arguments()
    {
        var protocol = new MessagePackRpcProtocol();
        protocol.SetLastId(0);
        RpcRequestBuilder first = protocol.CreateRequestBuilder("a").Add(1);
        RpcRequestBuilder second = protocol.CreateRequestBuilder("b").Add("two");
        first.Add(3);
        RpcRequest b = second.Build();
        RpcRequest a = first.Build();
        RpcRequest c = protocol.CreateRequestBuilder("c").Add(4).Build();
        Assert.Equal("940001a16291a374776f", Hex.Of(b.Serialize()));
        Assert.Equal("940002a161920103", Hex.Of(a.Serialize()));
        Assert.Equal("940003a1639104", Hex.Of(c.Serialize()));

        // A builder that failed gives its buffer back and cannot be used again.
        RpcRequestBuilder failed = protocol.CreateRequestBuilder("d").Add(5);
        Assert.ThrowsAny<MessagePackSerializationException>(() => failed.Add(new Unlisted(1, 2)));
        Assert.Throws<InvalidOperationException>(() => failed.Build());
        Assert.Equal("940004a1649106", Hex.Of(protocol.CreateRequestBuilder("d").Add(6).Build().Serialize()));
    }

    // The valid messages, each truncated at every length and with every byte replaced by each code above.
    internal static IEnumerable<byte[]> Corpus(IEnumerable<string> valid)
    {
        foreach (string hex in valid)
        {
            byte[] message = Hex.Bytes(hex);
            yield return message;
            for (int length = 0; length < message.Length; length++)
            {
                yield return message[..length];
            }

            for (int i = 0; i < message.Length; i++)
            {
                foreach (byte replacement in Replacements)
                {
                    byte[] changed = (byte[])message.Clone();
                    changed[i] = replacement;
                    yield return changed;
                }
            }
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
        MessagePackRpcRequest r => $"request {r.Id} {r.MessageId} {r.OneWay} {Hex.Of(r.MethodUtf8.ToArray())} {r.Arguments.Count} "
            + string.Join(",", Enumerable.Range(0, r.Arguments.Count).Select(i => Hex.Of(((MessagePackRpcArguments)r.Arguments).GetRaw(i)))),
        MessagePackRpcSuccessResponse s => $"success {s.Id} {Hex.Of(s.RawResult)}",
        MessagePackRpcErrorResponse e => $"error {e.Id} {e.Code} {e.Message} {e.IsStandardForm} {Hex.Of(e.RawError)}",
        _ => message.GetType().Name,
    };

    private static byte[] Direct<T>(T value)
    {
        int size = MessagePackValueCodec.DirectSize(value);
        Assert.True(size > 0);
        byte[] bytes = new byte[size];
        MessagePackValueCodec.WriteDirect(bytes, value);
        return bytes;
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static string Written(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return Hex.Of(buffer.WrittenMemory);
    }
}
