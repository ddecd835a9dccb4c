using System.Buffers;
using System.Text;

namespace RedisPanel.Protocol.Tests;

public sealed class RespParserTests
{
    /// <summary>Complete single frames (each yields exactly one command).</summary>
    public static readonly string[] ValidFrames =
    [
        "*1\r\n$4\r\nPING\r\n",
        "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n",
        "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
        "*2\r\n$4\r\nECHO\r\n$6\r\na\r\nb\0c\r\n",
        "PING\r\n",
        "PING\n",
        "SET k \"a b\\x41\\n\" 'c\\'d'\r\n",
        "  ECHO   spaced\t\targs  \r\n",
        "*12\r\n" + string.Concat(Enumerable.Repeat("$2\r\nab\r\n", 12)),
        "*1\r\n$70000\r\n" + new string('v', 70000) + "\r\n",
    ];

    [Fact]
    public void Every_truncated_prefix_returns_no_command_and_consumes_nothing()
    {
        foreach (var frame in ValidFrames)
        {
            var bytes = Encoding.Latin1.GetBytes(frame);
            Assert.Single(ParseRun.Of(bytes).Commands);
            // Long frames: every prefix near the start and the end, and a stride through the middle.
            var lengths = Enumerable.Range(0, bytes.Length)
                .Where(n => bytes.Length < 2000 || n < 300 || n > bytes.Length - 300 || n % 997 == 0);
            foreach (int n in lengths)
            {
                var run = ParseRun.Of(bytes[..n]);
                Assert.True(run is { Status: ParseStatus.Ok, Consumed: 0, Commands.Count: 0 },
                    $"prefix {n}/{bytes.Length} of {ParseRun.Escape(bytes)}: {run}");
            }
        }
    }

    [Fact]
    public void A_pipeline_cut_anywhere_yields_the_complete_commands_before_the_cut()
    {
        var frames = ValidFrames.Take(8).Select(Encoding.Latin1.GetBytes).ToArray();
        var all = frames.SelectMany(f => f).ToArray();
        var ends = new List<int>();
        int total = 0;
        foreach (var f in frames) ends.Add(total += f.Length);
        for (int n = 0; n <= all.Length; n++)
        {
            var run = ParseRun.Of(all[..n]);
            int complete = ends.Count(e => e <= n);
            Assert.Equal(ParseStatus.Ok, run.Status);
            Assert.Equal(complete, run.Commands.Count);
            Assert.Equal(complete == 0 ? 0 : ends[complete - 1], run.Consumed);
        }
    }

    public static TheoryData<string> SegmentInputs()
    {
        var data = new TheoryData<string>();
        foreach (var f in ValidFrames) data.Add(f);
        foreach (var (input, _) in MalformedCases) data.Add(input);
        data.Add("*0\r\n*-1\r\n\r\n   \r\nPING\r\n*1\r\n$4\r\nPI");
        return data;
    }

    [Theory]
    [MemberData(nameof(SegmentInputs))]
    public void One_byte_segments_parse_exactly_like_one_buffer(string input)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        var whole = ParseRun.Of(bytes);
        var pieces = ParseRun.Of(Segments.OneByte(bytes));
        Assert.True(whole.SameAs(pieces), $"whole: {whole}\npieces: {pieces}");
        var rng = new Random(bytes.Length);
        for (int i = 0; i < 20; i++)
        {
            var random = ParseRun.Of(Segments.Random(bytes, rng));
            Assert.True(whole.SameAs(random), $"whole: {whole}\nrandom segments: {random}");
        }
    }

    [Fact]
    public void Writer_output_parses_back_to_the_same_arguments()
    {
        var rng = new Random(42);
        for (int round = 0; round < 500; round++)
        {
            var commands = new List<byte[][]>();
            var buffer = new ReplyBuffer();
            var writer = new RespWriter(buffer);
            int n = rng.Next(1, 6);
            for (int c = 0; c < n; c++)
            {
                var args = new byte[rng.Next(1, 8)][];
                for (int a = 0; a < args.Length; a++)
                {
                    args[a] = new byte[rng.Next(0, rng.Next(2) == 0 ? 8 : 3000)];
                    rng.NextBytes(args[a]);
                }
                writer.ArrayHeader(args.Length);
                foreach (var a in args) writer.Bulk(a);
                commands.Add(args);
            }
            var bytes = buffer.WrittenSpan.ToArray();
            foreach (var seq in new[] { new ReadOnlySequence<byte>(bytes), Segments.Random(bytes, rng) })
            {
                var run = ParseRun.Of(seq);
                Assert.Equal(ParseStatus.Ok, run.Status);
                Assert.Equal(bytes.Length, run.Consumed);
                Assert.True(new ParseRun(ParseStatus.Ok, null, bytes.Length, commands).SameAs(run), run.ToString());
            }
        }
    }

    [Fact]
    public void Writer_integers_and_bulks_have_redis_framing()
    {
        foreach (long v in new[] { 0L, 1, -1, 9999, 10000, 10001, long.MaxValue, long.MinValue })
        {
            var b = new ReplyBuffer();
            new RespWriter(b).Integer(v);
            Assert.Equal($":{v}\r\n", Encoding.ASCII.GetString(b.WrittenSpan));
        }
        var bulk = new ReplyBuffer();
        new RespWriter(bulk).Bulk("a\r\nb"u8);
        Assert.Equal("$4\r\na\r\nb\r\n", Encoding.ASCII.GetString(bulk.WrittenSpan));
    }

    /// <summary>
    /// Malformed input and Redis 7.0.15's exact reply text; each text is also checked against a real
    /// redis-server by the Interop project's ProtocolDifferentialTests.
    /// </summary>
    public static readonly (string Input, string Error)[] MalformedCases =
    [
        ("*abc\r\n", "Protocol error: invalid multibulk length"),
        ("*\r\n", "Protocol error: invalid multibulk length"),
        ("*01\r\n", "Protocol error: invalid multibulk length"),
        ("*-0\r\n", "Protocol error: invalid multibulk length"),
        ("*2147483648\r\n", "Protocol error: invalid multibulk length"),
        ("*1\r\n$abc\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\nx3\r\nfoo\r\n", "Protocol error: expected '$', got 'x'"),
        ("*1\r\n\r\n", "Protocol error: expected '$', got ' '"),
        ("*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"),
        ("PING \"unbalanced\r\n", "Protocol error: unbalanced quotes in request"),
        ("PING 'x\r\n", "Protocol error: unbalanced quotes in request"),
        ("ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request"),
        (new string('a', 65537), "Protocol error: too big inline request"),
        ("*" + new string('1', 65536), "Protocol error: too big mbulk count string"),
        ("*1\r\n$" + new string('1', 65536), "Protocol error: too big bulk count string"),
        ("PI\0NG\r\n" + new string('a', 65537), "Protocol error: too big inline request"),
        ("*1\0\r\n" + new string('1', 65536), "Protocol error: too big mbulk count string"),
    ];

    public static TheoryData<string, string> Malformed()
    {
        var d = new TheoryData<string, string>();
        foreach (var (i, e) in MalformedCases) d.Add(i, e);
        return d;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_gives_redis_exact_error(string input, string error)
    {
        var run = ParseRun.Of("PING\r\n" + input);
        Assert.Equal(ParseStatus.ProtocolError, run.Status);
        Assert.Equal(error, run.Error);
        // The good command before the bad frame is still returned, and it is all that was consumed.
        Assert.Single(run.Commands);
        Assert.Equal(6, run.Consumed);
    }

    [Fact]
    public void Limits_one_byte_short_of_the_error_are_incomplete_not_errors()
    {
        Assert.Equal(ParseStatus.Ok, ParseRun.Of(new string('a', 65536)).Status);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("*" + new string('1', 65535)).Status);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("*1\r\n$" + new string('1', 65535)).Status);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("PI\0NG\r\n" + new string('a', 65529)).Status);
    }

    [Fact]
    public void Unauthenticated_limits()
    {
        var auth = new ParserLimits(512L * 1024 * 1024, AuthRequired: true);
        Assert.Equal("Protocol error: unauthenticated multibulk length", ParseRun.Of("*11\r\n", auth).Error);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("*10\r\n", auth).Status);
        Assert.Equal("Protocol error: unauthenticated bulk length", ParseRun.Of("*1\r\n$16385\r\n", auth).Error);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("*1\r\n$16384\r\n", auth).Status);
        Assert.Equal("Protocol error: invalid bulk length", ParseRun.Of("*1\r\n$536870913\r\n", auth).Error);
        Assert.Equal(ParseStatus.Ok, ParseRun.Of("*11\r\n").Status);
    }

    [Fact]
    public void Empty_frames_are_consumed_without_commands()
    {
        var run = ParseRun.Of("*0\r\n*-1\r\n*-5\r\n\r\n \t \r\n\n");
        Assert.Equal(ParseStatus.Ok, run.Status);
        Assert.Empty(run.Commands);
        Assert.Equal(22, run.Consumed);
    }

    [Fact]
    public void Bulk_terminator_bytes_are_not_checked()
    {
        var run = ParseRun.Of("*2\r\n$4\r\nECHOxx$1\r\nyzz");
        Assert.Single(run.Commands);
        Assert.Equal("y", Encoding.ASCII.GetString(run.Commands[0][1]));
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("-1", true, -1L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("-9223372036854775809", false, 0L)]
    [InlineData("18446744073709551616", false, 0L)]
    [InlineData("00", false, 0L)]
    [InlineData("01", false, 0L)]
    [InlineData("-0", false, 0L)]
    [InlineData("-", false, 0L)]
    [InlineData("+1", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1 ", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("1a", false, 0L)]
    [InlineData("000000000000000000001", false, 0L)]
    public void TryParseLong_is_string2ll(string text, bool ok, long value)
    {
        Assert.Equal(ok, RespParser.TryParseLong(Encoding.ASCII.GetBytes(text), out long v));
        if (ok) Assert.Equal(value, v);
        Assert.Equal(ok, RedisReferenceParser.String2ll(Encoding.ASCII.GetBytes(text), 0, text.Length, out _));
    }

    [Theory]
    [InlineData("a b c", new[] { "a", "b", "c" })]
    [InlineData("  a\t\tb  ", new[] { "a", "b" })]
    [InlineData("\"a b\" 'c d'", new[] { "a b", "c d" })]
    [InlineData("\"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"", new[] { "AJ\n\r\t\b\a\\\"q" })]
    [InlineData("\"\\x4\" \"\\xZZ\"", new[] { "x4", "xZZ" })]
    [InlineData("'it\\'s' 'a\\b'", new[] { "it's", "a\\b" })]
    [InlineData("a\"b c\"d", null)]
    [InlineData("a\"b c\" d", new[] { "ab c", "d" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("''", new[] { "" })]
    [InlineData("\"abc", null)]
    [InlineData("'abc", null)]
    [InlineData("\"abc\\", null)]
    [InlineData("\"a\"'b'", null)]
    [InlineData("", new string[0])]
    [InlineData("\v\f", new string[0])]
    public void InlineSplitter_is_sdssplitargs(string line, string[]? expected)
    {
        var bytes = Encoding.Latin1.GetBytes(line);
        var ours = InlineSplitter.Split(bytes);
        var reference = RedisReferenceParser.SplitArgs(bytes);
        if (expected is null)
        {
            Assert.Null(ours);
            Assert.Null(reference);
            return;
        }
        Assert.NotNull(ours);
        Assert.Equal(expected, ours.Select(a => Encoding.Latin1.GetString(a)));
        Assert.Equal(expected, reference!.Select(a => Encoding.Latin1.GetString(a)));
    }
}
