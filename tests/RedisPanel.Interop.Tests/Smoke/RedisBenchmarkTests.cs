// redis-benchmark's whole default suite against our node. redis-benchmark 7.0 exits 1 with "Error from server"
// on the first error reply, so a clean exit plus one "requests per second" line per default test means every
// command of every test got a non-error reply. CI uses -n 20000 (the full -n 100000 took 91 s against the Debug
// build on the shared 2-core machine, 20000 about 18 s); REDISPANEL_BENCH_REQUESTS=100000 runs the full size.
using System.Text.RegularExpressions;
using RedisPanel.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Smoke;

public sealed class RedisBenchmarkTests(ITestOutputHelper output)
{
    /// <summary>The tests redis-benchmark 7.0 runs without -t, as its -q output names them.</summary>
    public static readonly string[] DefaultTests =
    [
        "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD",
        "ZPOPMIN", "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)",
        "LRANGE_500 (first 500 elements)", "LRANGE_600 (first 600 elements)", "MSET (10 keys)",
    ];

    [Fact]
    public async Task Default_suite_completes_without_an_error_reply()
    {
        string requests = Environment.GetEnvironmentVariable("REDISPANEL_BENCH_REQUESTS") is { Length: > 0 } n ? n : "20000";
        await using var node = await NodeFixture.StartAsync(name: "bench");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, stdout, stderr) = RealToolsTests.Run("/usr/bin/redis-benchmark", TimeSpan.FromMinutes(8),
            "-p", node.Port.ToString(), "-q", "-n", requests);
        // -q redraws progress with '\r'; keep each line's final text.
        var lines = (stdout + "\n" + stderr).Split('\n').Select(l => l.Split('\r').Last().Trim()).Where(l => l.Length > 0).ToList();
        string all = string.Join("\n", lines);
        output.WriteLine($"redis-benchmark -q -n {requests}: {clock.Elapsed.TotalSeconds:F1} s\n{all}");

        Assert.True(code == 0, $"redis-benchmark exited {code} (it exits 1 on the first error reply):\n{all}");
        Assert.DoesNotContain("Error", all, StringComparison.Ordinal);
        var finished = lines.Select(l => Regex.Match(l, @"^(.+): [0-9.]+ requests per second")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(DefaultTests, finished);
    }
}
