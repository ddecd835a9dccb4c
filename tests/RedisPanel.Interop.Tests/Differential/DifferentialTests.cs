// The differential runner: every "###" case of every Cases/*.redis file runs against a real redis-server 7.0
// and against our node, over fresh connections, and each reply must match byte for byte (or as the line's
// directive says). A mismatch names the file, line, command and both replies, escaped.
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using RedisPanel.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RedisPanel.Interop.Tests.Differential;

public sealed class DifferentialTests(DifferentialServers servers, ITestOutputHelper output) : IClassFixture<DifferentialServers>
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, List<DifferentialCase>> Parsed = new();

    public static IEnumerable<object[]> Cases()
    {
        foreach (var path in CaseFile.AllFiles())
        {
            string file = Path.GetFileName(path);
            List<DifferentialCase>? cases = null;
            string? error = null;
            try
            {
                cases = Parsed.GetOrAdd(file, _ => CaseFile.Parse(path));
            }
            catch (FormatException ex)
            {
                error = ex.Message;
            }
            // A broken file is a failing row, not a silently missing one.
            if (cases is null) yield return [file, "(file does not parse) " + error, -1];
            else foreach (var c in cases) yield return [file, c.Title, c.Index];
        }
    }

    [Fact]
    public void Every_case_file_is_found()
    {
        Assert.Contains(CaseFile.AllFiles(), f => Path.GetFileName(f) == "basics.redis");
        foreach (var f in CaseFile.AllFiles()) Assert.NotEmpty(CaseFile.Parse(f));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case(string file, string title, int index)
    {
        Assert.True(index >= 0, title);
        var @case = Parsed.GetOrAdd(file, f => CaseFile.Parse(Path.Combine(CaseFile.CasesDirectory, f)))[index];
        Assert.Equal(title, @case.Title);

        var real = servers.RealFor(file);
        await using var node = await NodeFixture.StartAsync(name: "differential");
        using var realClient = TestRespClient.Connect(real.Port, ReplyTimeout);
        using var ourClient = TestRespClient.Connect(node.Port, ReplyTimeout);

        // Reference server: empty dataset, no active expiry racing the case. Ours is a fresh node; the DEBUG
        // line is sent too (its reply is not compared) so active expiry is off there once DEBUG exists.
        Assert.Equal("+OK\r\n", realClient.CallText("FLUSHALL"));
        Assert.Equal("+OK\r\n", realClient.CallText("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        ourClient.Call("DEBUG", "SET-ACTIVE-EXPIRE", "0");

        var failures = new List<string>();
        var realState = new ClientState(realClient);
        var ourState = new ClientState(ourClient);
        foreach (var cmd in @case.Commands)
        {
            string expected = realState.Run(cmd);
            string actual = ourState.Run(cmd);
            output.WriteLine($"{file}:{cmd.Line}: {cmd.Text}\n  redis: {expected}\n  ours:  {actual}");
            if (!Same(cmd.Mode, realState.Last, ourState.Last, expected, actual))
                failures.Add($"{file}:{cmd.Line}: {cmd.Text}{ModeNote(cmd.Mode)}\n    redis-server: {expected}\n    our node:     {actual}");
        }
        if (failures.Count > 0)
            Assert.Fail($"case '{@case.Title}' ({file}:{@case.Line}) differs from redis-server {failures.Count} time(s):\n" +
                        string.Join("\n", failures.Take(30)));
    }

    private static string ModeNote(CompareMode mode) => mode switch
    {
        CompareMode.Sorted => "  [!sort]",
        CompareMode.Type => "  [!type]",
        _ => "",
    };

    private static bool Same(CompareMode mode, byte[]? realReply, byte[]? ourReply, string expected, string actual)
    {
        if (realReply is null || ourReply is null) return expected == actual; // closed / timeout outcomes
        return mode switch
        {
            CompareMode.NoReply => true,
            CompareMode.Type => RespFraming.TypeOf(realReply) == RespFraming.TypeOf(ourReply),
            CompareMode.Sorted => RespFraming.Sorted(realReply).AsSpan().SequenceEqual(RespFraming.Sorted(ourReply)),
            _ => realReply.AsSpan().SequenceEqual(ourReply),
        };
    }

    /// <summary>One side's connection; after a close or timeout every later command reports the same.</summary>
    private sealed class ClientState(TestRespClient client)
    {
        private string? _dead;

        /// <summary>The last reply's bytes; null when the outcome was not a reply.</summary>
        public byte[]? Last { get; private set; }

        public string Run(CaseCommand cmd)
        {
            Last = null;
            if (_dead is not null) return _dead;
            try
            {
                client.Send(cmd.Args);
                var reply = client.ReadReply();
                if (reply is null) return _dead = "<connection closed>";
                Last = reply;
                return RespFraming.Escape(reply);
            }
            catch (TimeoutException)
            {
                return _dead = $"<no reply within {ReplyTimeout.TotalSeconds}s>";
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return _dead = "<connection closed: " + ex.Message + ">";
            }
            catch (InvalidDataException ex)
            {
                return _dead = "<not RESP: " + ex.Message + ">";
            }
        }
    }
}
