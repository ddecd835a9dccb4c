// Malformed requests sent as raw bytes to a real redis-server 7.0 and to our node: both must answer the same
// bytes (replies before the bad frame, then Redis's exact "-ERR Protocol error: ..." text) and close the
// connection. Sizes of the "too big" inputs are chosen so each server has read every byte when it closes
// (no unread data, so the close is a FIN and the error reply is not lost to a reset).
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Differential;

public sealed class ProtocolServers : IDisposable
{
    public const string Password = "s3cret";

    public RedisServerProcess Real { get; } = RedisServerProcess.Start();
    public RedisServerProcess RealWithAuth { get; } = RedisServerProcess.Start("--requirepass", Password);
    public NodeFixture Ours { get; } = NodeFixture.Start();
    public NodeFixture OursWithAuth { get; } = NodeFixture.Start(c => c.RequirePass = Password);

    public void Dispose()
    {
        Real.Dispose();
        RealWithAuth.Dispose();
        Ours.Dispose();
        OursWithAuth.Dispose();
    }
}

public sealed class ProtocolDifferentialTests(ProtocolServers servers) : IClassFixture<ProtocolServers>
{
    private const int Big = 65_536 + 64; // past PROTO_INLINE_MAX_SIZE (64 KB)

    public static TheoryData<string, string> Inputs() => new()
    {
        { "invalid multibulk length (letters)", "*abc\r\n" },
        { "invalid multibulk length (empty)", "*\r\n" },
        { "invalid multibulk length (leading zero)", "*01\r\n" },
        { "invalid multibulk length (plus sign)", "*+1\r\n" },
        { "invalid multibulk length (space)", "* 1\r\n" },
        { "invalid multibulk length (minus zero)", "*-0\r\n" },
        { "invalid multibulk length (over INT_MAX)", "*2147483648\r\n" },
        { "invalid multibulk length (over 64 bits)", "*99999999999999999999\r\n" },
        { "invalid bulk length (letters)", "*1\r\n$abc\r\n" },
        { "invalid bulk length (negative)", "*1\r\n$-1\r\n" },
        { "invalid bulk length (empty)", "*1\r\n$\r\n" },
        { "invalid bulk length (over proto-max-bulk-len)", "*1\r\n$536870913\r\n" },
        { "expected $ got x", "*1\r\nx3\r\nfoo\r\n" },
        { "expected $ got colon after a good arg", "*2\r\n$4\r\nECHO\r\n:1\r\n" },
        { "expected $ got CR is printed as a space", "*1\r\n\r\n" },
        { "expected $ got LF is printed as a space", "*1\r\n\n\r\n" },
        { "expected $ got a non-ASCII byte (sent as is)", "*1\r\n\u00e9\r\n" },
        { "unbalanced double quote", "PING \"unbalanced\r\n" },
        { "unbalanced single quote", "PING 'x\r\n" },
        { "closing quote followed by a letter", "ECHO \"a\"b\r\n" },
        { "closing single quote followed by a letter", "ECHO 'a'b\r\n" },
        { "unbalanced quote without CR", "ECHO \"a\n" },
        { "replies before the bad frame are sent", "PING\r\n*1\r\n$4\r\nPING\r\n*-1\r\n*0\r\n\r\n  \r\nECHO x\r\n*x\r\nPING\r\n" },
        { "bulk payload is not checked for CRLF", "*2\r\n$4\r\nECHOxx$1\r\nyzz*q\r\n" },
        { "too big inline request", new string('a', Big) },
        { "too big inline request after a good command", "PING\r\n" + new string('a', Big) },
        { "too big mbulk count string", "*" + new string('1', Big) },
        { "too big mbulk count string at the exact limit", "*" + new string('1', 65_536) },
        { "too big inline request at the exact limit", new string('a', 65_537) },
        { "too big bulk count string at the exact limit", "*1\r\n$" + new string('1', 65_536) },
        { "too big bulk count string", "*1\r\n$" + new string('1', Big) },
        { "too big bulk count string after a bulk", "*2\r\n$4\r\nECHO\r\n$" + new string('1', Big) },
        { "NUL in an inline line hides its newline", "PI\0NG\r\n" + new string('a', Big) },
        { "NUL in a count line hides its CR", "*1\0\r\n" + new string('1', Big) },
        { "NUL in a bulk length line hides its CR", "*1\r\n$1\0\r\n" + new string('1', Big) },
    };

    public static TheoryData<string, string> AuthInputs() => new()
    {
        { "unauthenticated multibulk length", "*11\r\n" },
        { "ten args are allowed before AUTH", "*10\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n*x\r\n" },
        { "unauthenticated bulk length", "*1\r\n$16385\r\n" },
        { "invalid bulk length wins over unauthenticated", "*1\r\n$536870913\r\n" },
        { "invalid multibulk length wins over unauthenticated", "*2147483648\r\n" },
        { "16384 bytes are allowed before AUTH", "*2\r\n$4\r\nECHO\r\n$16384\r\n" + new string('z', 16384) + "\r\n*x\r\n" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Malformed_input_gets_the_same_error_and_close(string name, string input)
    {
        Compare(name, input, servers.Real.Port, servers.Ours.Port);
    }

    [Theory]
    [MemberData(nameof(AuthInputs))]
    public void Unauthenticated_limits_match(string name, string input)
    {
        Compare(name, input, servers.RealWithAuth.Port, servers.OursWithAuth.Port);
    }

    [Fact]
    public void A_protocol_error_closes_only_that_connection()
    {
        foreach (int port in new[] { servers.Real.Port, servers.Ours.Port })
        {
            using var good = TestRespClient.Connect(port);
            using var bad = TestRespClient.Connect(port);
            Assert.Equal("+PONG\r\n", good.CallText("PING"));
            bad.SendRaw("*x\r\n");
            Assert.Equal("-ERR Protocol error: invalid multibulk length\r\n", Encoding.Latin1.GetString(bad.ReadUntilClosed()));
            Assert.Equal("$2\r\nok\r\n", good.CallText("ECHO", "ok"));
        }
    }

    private static void Compare(string name, string input, int realPort, int ourPort)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        string expected = Exchange(realPort, bytes);
        string actual = Exchange(ourPort, bytes);
        Assert.True(expected == actual,
            $"{name}: input {RespFraming.Escape(bytes, 200)}\n  redis-server: {expected}\n  our node:     {actual}");
    }

    /// <summary>Sends the bytes and returns everything received until the server closed (or a timeout note).</summary>
    private static string Exchange(int port, byte[] input)
    {
        using var c = TestRespClient.Connect(port, TimeSpan.FromSeconds(10));
        c.SendRaw(input);
        try
        {
            return RespFraming.Escape(c.ReadUntilClosed(), 500) + " then closed";
        }
        catch (TimeoutException ex)
        {
            return "<not closed within 10s> " + ex.Message;
        }
    }
}
