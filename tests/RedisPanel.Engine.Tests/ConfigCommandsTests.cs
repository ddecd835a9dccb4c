using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

/// <summary>CONFIG GET/SET/RESETSTAT/HELP replies, byte for byte as redis-server 7.0.15 sent them (checked with redis-cli).</summary>
public class ConfigCommandsTests
{
    private static string Err(string text) => "-" + text + "\r\n";

    [Fact]
    public void Get_exact_name_is_case_insensitive_and_echoes_the_name_as_typed()
    {
        var h = new EngineHarness();
        Assert.Equal("*2\r\n$4\r\nPORT\r\n$4\r\n6379\r\n", h.Run("CONFIG", "GET", "PORT"));
        Assert.Equal("*2\r\n$4\r\nport\r\n$4\r\n6379\r\n", h.Run("CONFIG", "GET", "port", "port", "Port"));
        Assert.Equal("*0\r\n", h.Run("CONFIG", "GET", "nonexist"));
        Assert.Equal("*2\r\n$7\r\nslaveof\r\n$0\r\n\r\n", h.Run("CONFIG", "GET", "slaveof"));
        Assert.Equal(Err("ERR wrong number of arguments for 'config|get' command"), h.Run("CONFIG", "GET"));
    }

    [Fact]
    public void Get_pattern_returns_aliases_too_as_redis_7_does()
    {
        var h = new EngineHarness();
        string reply = h.Run("CONFIG", "GET", "*slave*");
        // 13 legacy names contain "slave" in 7.0.15 (min-slaves-*, slave-*, slaveof, repl-ping-slave-period ...).
        Assert.StartsWith("*26\r\n", reply);
        Assert.Contains("$7\r\nslaveof\r\n", reply);
        Assert.Contains("$15\r\nslave-read-only\r\n$3\r\nyes\r\n", reply);
        string all = h.Run("CONFIG", "GET", "*");
        Assert.StartsWith("*384\r\n", all); // 192 names, as redis-server 7.0.15 (Debian build with TLS) answers
        Assert.DoesNotContain("use-exit-on-panic", all); // hidden configs only match exactly
        Assert.Contains("use-exit-on-panic", h.Run("CONFIG", "GET", "use-exit-on-panic"));
    }

    [Fact]
    public void Get_in_resp3_is_a_map()
    {
        var h = new EngineHarness();
        h.Client.Writer.Protocol = 3;
        Assert.Equal("%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", h.Run("CONFIG", "GET", "maxmemory"));
    }

    [Theory]
    [InlineData("foo", "bar", "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")]
    [InlineData("databases", "3", "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")]
    [InlineData("slaveof", "1.2.3.4 5", "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config")]
    [InlineData("dir", "/tmp", "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")]
    [InlineData("dbfilename", "a/b", "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config")]
    [InlineData("protected-mode", "maybe", "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'")]
    [InlineData("HZ", "abc", "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")]
    [InlineData("slave-priority", "abc", "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer")]
    [InlineData("hz", "-1", "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive")]
    [InlineData("port", "70000", "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive")]
    [InlineData("maxclients", "0", "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive")]
    [InlineData("loglevel", "foo", "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData("appendfsync", "foo", "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no")]
    [InlineData("save", "1 2 3", "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData("save", "0 1", "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData("save", "10 -1", "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")]
    [InlineData("maxmemory", "-1", "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")]
    [InlineData("maxmemory", "1.5gb", "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")]
    [InlineData("repl-backlog-size", "0", "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive")]
    [InlineData("repl-backlog-size", "99999999999999999999", "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive")]
    [InlineData("proto-max-bulk-len", "1k", "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("maxmemory-clients", "200%", "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100")]
    [InlineData("client-output-buffer-limit", "foo 1 2 3", "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "normal 1 2", "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit", "replica 1mb 2mb x", "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.")]
    [InlineData("activedefrag", "yes", "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")]
    [InlineData("notify-keyspace-events", "Q", "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")]
    public void Set_errors_match_redis(string name, string value, string error)
    {
        var h = new EngineHarness();
        Assert.Equal(Err(error), h.Run("CONFIG", "SET", name, value));
    }

    [Fact]
    public void Set_argument_count_and_duplicate_errors()
    {
        var h = new EngineHarness();
        Assert.Equal(Err("ERR wrong number of arguments for 'config|set' command"), h.Run("CONFIG", "SET", "port"));
        Assert.Equal(Err("ERR syntax error"), h.Run("CONFIG", "SET", "port", "1", "foo"));
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter"),
            h.Run("CONFIG", "SET", "timeout", "10", "TIMEOUT", "20"));
        // The first bad name wins: unknown before immutable, immutable before unknown.
        Assert.Equal(Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            h.Run("CONFIG", "SET", "timeout", "5", "foo", "1", "databases", "3"));
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
            h.Run("CONFIG", "SET", "timeout", "5", "databases", "3", "foo", "1"));
        Assert.Equal(Err("ERR unknown subcommand 'foo'. Try CONFIG HELP."), h.Run("CONFIG", "foo"));
    }

    [Fact]
    public void Set_is_atomic_a_failing_pair_restores_the_earlier_ones()
    {
        var h = new EngineHarness();
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"),
            h.Run("CONFIG", "SET", "timeout", "30", "maxmemory", "1mb", "hz", "x"));
        Assert.Equal(0, h.Engine.Config.Timeout);
        Assert.Equal(0, h.Engine.Config.MaxMemory);
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "timeout", "30", "maxmemory", "1mb", "hz", "20"));
        Assert.Equal(30, h.Engine.Config.Timeout);
        Assert.Equal(1024 * 1024, h.Engine.Config.MaxMemory);
        Assert.Equal(20, h.Engine.Config.Hz);
    }

    [Fact]
    public void Memory_units_follow_memtoull()
    {
        var h = new EngineHarness();
        void Check(string set, string get)
        {
            Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "maxmemory", set));
            Assert.Equal($"*2\r\n$9\r\nmaxmemory\r\n${get.Length}\r\n{get}\r\n", h.Run("CONFIG", "GET", "maxmemory"));
        }
        Check("1k", "1000");
        Check("1K", "1000");
        Check("1Kb", "1024");
        Check("2MB", "2097152");
        Check("1m", "1000000");
        Check("3g", "3000000000");
        Check("1gb", "1073741824");
        Check("", "0");       // memtoull quirk: no digits is 0
        Check("k", "0");
        Check("99999999999999999999", "18446744073709551615"); // strtoull saturates, unchecked by Redis
        Check("0", "0");
    }

    [Fact]
    public void Hz_is_accepted_out_of_range_and_capped()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "hz", "1000"));
        Assert.Equal("*2\r\n$2\r\nhz\r\n$3\r\n500\r\n", h.Run("CONFIG", "GET", "hz"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "hz", "0"));
        Assert.Equal(1, h.Engine.Config.Hz);
    }

    [Fact]
    public void Save_client_output_buffer_limit_enums_and_notify_keep_redis_forms()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "save", "3600 1 300 100"));
        Assert.Equal("*2\r\n$4\r\nsave\r\n$14\r\n3600 1 300 100\r\n", h.Run("CONFIG", "GET", "save"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "save", ""));
        Assert.Empty(h.Engine.Config.SavePoints);
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 2mb 10"));
        Assert.Equal("*2\r\n$26\r\nclient-output-buffer-limit\r\n$66\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 10\r\n",
            h.Run("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "shutdown-on-sigint", "save now"));
        Assert.Equal("*2\r\n$18\r\nshutdown-on-sigint\r\n$8\r\nsave now\r\n", h.Run("CONFIG", "GET", "shutdown-on-sigint"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "oom-score-adj", "relative"));
        Assert.Equal("*2\r\n$13\r\noom-score-adj\r\n$3\r\nyes\r\n", h.Run("CONFIG", "GET", "oom-score-adj"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "notify-keyspace-events", "Kx"));
        Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nxK\r\n", h.Run("CONFIG", "GET", "notify-keyspace-events"));
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "maxmemory-clients", "10%"));
        Assert.Equal("*2\r\n$17\r\nmaxmemory-clients\r\n$3\r\n10%\r\n", h.Run("CONFIG", "GET", "maxmemory-clients"));
        Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
            h.Run("CONFIG", "SET", "bind", "127.0.0.1 -::1", "port", "6379")); // no listener hook in the harness
        Assert.Equal(["127.0.0.1"], h.Engine.Config.Bind);
        h.Engine.Config.ApplyHook = _ => null;
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "bind", "127.0.0.1 -::1", "port", "6379")); // unchanged port: no rebind
        Assert.Equal(["127.0.0.1", "-::1"], h.Engine.Config.Bind);
    }

    [Fact]
    public void Port_change_needs_the_hosts_listener_hook()
    {
        var h = new EngineHarness();
        Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."),
            h.Run("CONFIG", "SET", "port", "6390"));
        Assert.Equal(6379, h.Engine.Config.Port);
        string? asked = null;
        h.Engine.Config.ApplyHook = name => { asked = name; return null; };
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "port", "6390"));
        Assert.Equal("port", asked);
        Assert.Equal(6390, h.Engine.Config.Port);
    }

    [Fact]
    public void Protected_configs_need_enable_protected_configs()
    {
        var config = new ServerConfig();
        ConfigFileParser.Apply(config, "enable-protected-configs local", "test");
        var h = new EngineHarness(config);
        string dir = Directory.CreateTempSubdirectory("rp-config-").FullName;
        try
        {
            Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "dir", dir));
            Assert.Equal(dir, h.Engine.Config.Dir);
            Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"),
                h.Run("CONFIG", "SET", "dbfilename", "a/b"));
            Assert.Equal(Err("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"),
                h.Run("CONFIG", "SET", "dir", "/nonexistent-rp"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Requirepass_applies_to_new_clients_and_timeout_to_the_cron()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "requirepass", "secret"));
        var fresh = h.NewClient();
        Assert.Equal(Err("NOAUTH Authentication required."), h.Run(fresh, "GET", "k"));
        Assert.Equal("$-1\r\n", h.Run("GET", "k")); // the client that set it stays authenticated, as in Redis
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "requirepass", ""));
        Assert.Equal("$-1\r\n", h.Run(h.NewClient(), "GET", "k"));

        Assert.Equal("+OK\r\n", h.Run("CONFIG", "SET", "timeout", "1"));
        var idle = h.NewClient();
        bool closed = false;
        idle.CloseRequested = _ => closed = true;
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        h.Engine.Cron();
        Assert.True(closed);
    }

    [Fact]
    public void Resetstat_clears_engine_and_command_stats()
    {
        var h = new EngineHarness();
        h.Run("GET", "a");
        h.Run("GET");
        Assert.True(h.Engine.Table.Find("get")!.Calls > 0);
        Assert.Equal("+OK\r\n", h.Run("CONFIG", "RESETSTAT"));
        Assert.Equal(0, h.Engine.Table.Find("get")!.Calls);
        Assert.Equal(0, h.Engine.Table.Find("get")!.RejectedCalls);
        Assert.Equal(0, h.Engine.Stats.TotalErrorReplies);
        Assert.Equal(Err("ERR wrong number of arguments for 'config|resetstat' command"), h.Run("CONFIG", "RESETSTAT", "x"));
    }

    [Fact]
    public void Help_and_rewrite_without_file()
    {
        var h = new EngineHarness();
        string help = h.Run("CONFIG", "HELP");
        Assert.StartsWith("*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n", help);
        Assert.EndsWith("+HELP\r\n+    Prints this help.\r\n", help);
        Assert.Equal(Err("ERR The server is running without a config file"), h.Run("CONFIG", "REWRITE"));
    }

    [Fact]
    public void Every_directive_reports_its_declared_default_on_a_fresh_config()
    {
        // The registry's defaults (used by CONFIG REWRITE to decide what to write) must agree with ServerConfig.
        var c = new ServerConfig();
        var state = new ConfigRewriter.State();
        foreach (var d in ConfigRegistry.Default.All) d.Rewrite(c, state);
        string written = string.Join("\n", state.Lines);
        // Only directives that Redis always writes, plus our deliberate differences, appear for a fresh config.
        Assert.Equal(
            "# Generated by CONFIG REWRITE\n" +
            "dir " + ConfigText.Repr(c.Dir) + "\n" +
            "save 3600 1\nsave 300 100\nsave 60 10000\n" +
            "bind 127.0.0.1\n" +
            "latency-tracking-info-percentiles 50 99 99.9", written);
    }
}
