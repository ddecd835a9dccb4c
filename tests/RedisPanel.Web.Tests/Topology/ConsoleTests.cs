using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RedisPanel.Web.Tests.Infrastructure;
using RedisPanel.Web.Topology;

namespace RedisPanel.Web.Tests.Topology;

/// <summary>The console prints what redis-cli prints (--no-raw) for the same command on the same node.</summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ITopologyClient Door => _app.App.Services.GetRequiredService<ITopologyClient>();

    public static TheoryData<string[]> Commands => new()
    {
        new[] { "PING" },
        new[] { "GET", "text" },
        new[] { "GET", "escapes" },
        new[] { "GET", "binary" },
        new[] { "GET", "missing" },
        new[] { "STRLEN", "text" },
        new[] { "LRANGE", "list", "0", "-1" },
        new[] { "LRANGE", "nothing", "0", "-1" },
        new[] { "HGETALL", "hash" },
        new[] { "MGET", "text", "missing", "escapes" },
        new[] { "ZRANGE", "zset", "0", "-1", "WITHSCORES" },
        new[] { "SCAN", "0", "MATCH", "l*" },
        new[] { "GET", "list" },
        new[] { "NOSUCHCOMMAND", "x" },
        new[] { "GET" },
        new[] { "EXEC" },
        new[] { "COMMAND", "INFO", "get", "set" },
        new[] { "CONFIG", "GET", "maxmemory*" },
        new[] { "TYPE", "hash" },
        new[] { "INCRBYFLOAT", "float", "0" },
    };

    private async Task SeedAsync(int port)
    {
        await Redis.CallAsync(port, "SET", "text", "hello world");
        await Redis.CallAsync(port, "SET", "escapes", "quote\" back\\ nl\n cr\r tab\t bell\a bs\b");
        await Redis.CallAsync(port, "SET", "float", "1.5");
        await using (var c = await Remote.RemoteConnection.ConnectAsync("127.0.0.1", port, null, TimeSpan.FromSeconds(5), CancellationToken.None))
            await c.CommandAsync([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes("binary"), [0, 1, 0x7f, 0x80, 0xff, (byte)'A']], TimeSpan.FromSeconds(5), CancellationToken.None);
        await Redis.CallAsync(port, ["RPUSH", "list", .. Enumerable.Range(1, 12).Select(i => $"item{i}")]);
        await Redis.CallAsync(port, "HSET", "hash", "f1", "v1", "f2", "v2");
        await Redis.CallAsync(port, "ZADD", "zset", "1", "a", "2.5", "b");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_console_prints_what_redis_cli_prints(string[] args)
    {
        int port = _app.PortOf("master");
        await SeedAsync(port);

        string expected = await RedisCliAsync(port, args);
        var reply = await Door.ExecuteAsync("master", string.Join(' ', args.Select(Quote)));

        Assert.Equal(expected, reply.Text);
        Assert.Equal(expected.StartsWith("(error)"), reply.IsError);
    }

    [Fact]
    public async Task The_console_splits_with_redis_cli_quoting_and_keeps_its_connection()
    {
        Assert.Equal("OK", (await Door.ExecuteAsync("master", "SET \"a key\" 'single \\' quote'")).Text);
        Assert.Equal("single ' quote", (await Redis.CallAsync(_app.PortOf("master"), "GET", "a key")).Text);
        Assert.Equal("\"single ' quote\"", (await Door.ExecuteAsync("master", "GET \"a key\"")).Text);
        Assert.Equal("Invalid argument(s)", (await Door.ExecuteAsync("master", "GET \"a\"b")).Text);
        Assert.Equal("OK", (await Door.ExecuteAsync("master", "SET q \"tab\\there \\x41\"")).Text);
        Assert.Equal("\"tab\\there A\"", (await Door.ExecuteAsync("master", "GET q")).Text);
        var bad = await Door.ExecuteAsync("master", "GET \"unbalanced");
        Assert.True(bad.IsError);
        Assert.Equal("Invalid argument(s)", bad.Text);
        // SELECT lasts: the console keeps one connection per node.
        Assert.Equal("OK", (await Door.ExecuteAsync("master", "SELECT 3")).Text);
        Assert.Equal("OK", (await Door.ExecuteAsync("master", "SET indb3 x")).Text);
        Assert.Equal(Remote.RespReplyKind.Nil, (await Redis.CallAsync(_app.PortOf("master"), "GET", "indb3")).Kind);
        Assert.Equal("\"x\"", (await Door.ExecuteAsync("master", "GET indb3")).Text);
        Assert.True((await Door.ExecuteAsync("nope", "PING")).IsError);
    }

    private static string Quote(string arg)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in arg)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\a' => "\\a",
                '\b' => "\\b",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private static async Task<string> RedisCliAsync(int port, string[] args)
    {
        var psi = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", port.ToString(), "--no-raw" }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string output = await p.StandardOutput.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        return output.EndsWith('\n') ? output[..^1] : output;
    }
}
