// Smoke tests with Debian's real clients against our node: redis-cli and redis-benchmark must work unmodified.
using System.Diagnostics;
using RedisPanel.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Smoke;

public sealed class RealToolsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_cli_ping()
    {
        await using var node = await NodeFixture.StartAsync(name: "cli");
        var (code, stdout, stderr) = Run("/usr/bin/redis-cli", TimeSpan.FromSeconds(30), "-p", node.Port.ToString(), "ping");
        Assert.True(code == 0, $"redis-cli exited {code}: {stderr}");
        Assert.Equal("PONG", stdout.Trim());
    }

    [Fact]
    public async Task Redis_cli_set_get_round_trip()
    {
        await using var node = await NodeFixture.StartAsync(name: "cli");
        string port = node.Port.ToString();
        Assert.Equal("OK", Run("/usr/bin/redis-cli", TimeSpan.FromSeconds(30), "-p", port, "set", "greeting", "hello world").Stdout.Trim());
        Assert.Equal("hello world", Run("/usr/bin/redis-cli", TimeSpan.FromSeconds(30), "-p", port, "get", "greeting").Stdout.Trim());
    }

    [Fact]
    public async Task Redis_benchmark_gets_no_error_reply()
    {
        await using var node = await NodeFixture.StartAsync(name: "bench");
        var (code, stdout, stderr) = Run("/usr/bin/redis-benchmark", TimeSpan.FromMinutes(5),
            "-p", node.Port.ToString(), "-q", "-n", "100000", "-t", "ping,set,get,incr,mset");
        // -q redraws progress with '\r'; keep only each line's final text.
        string all = string.Join("\n", (stdout + "\n" + stderr).Split('\n').Select(l => l.Split('\r').Last().Trim()).Where(l => l.Length > 0));
        output.WriteLine(all);
        Assert.True(code == 0, $"redis-benchmark exited {code}:\n{all}");
        Assert.DoesNotContain("Error", all, StringComparison.Ordinal);
        Assert.DoesNotContain("ERR", all, StringComparison.Ordinal);
        // -q prints one "<TEST>: <n> requests per second" line per test; every test must have finished.
        foreach (var test in new[] { "PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)" })
            Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(test)}: [0-9.]+ requests per second", all);
    }

    /// <summary>Runs a tool to completion (bounded by <paramref name="timeout"/>); stdin is closed at once.</summary>
    internal static (int Code, string Stdout, string Stderr) Run(string exe, TimeSpan timeout, params string[] args)
    {
        Assert.True(File.Exists(exe), $"{exe} is missing: install Debian's redis-tools (scripts/test.sh does)");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill();
            p.WaitForExit(10_000);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
