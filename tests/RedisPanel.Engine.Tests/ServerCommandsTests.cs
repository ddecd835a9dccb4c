using RedisPanel.Engine.Commands;
using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

/// <summary>Server family replies, byte for byte as redis-server 7.0.15 sends them (checked by hand).</summary>
public class ServerCommandsTests
{
    [Fact]
    public void Table_agrees_with_redis_7_0_15_metadata()
    {
        // Every command and subcommand we declare must carry Redis's arity and legacy key positions.
        var table = CommandTable.CreateDefault();
        var mismatches = new List<string>();
        foreach (var def in table.All.Concat(table.All.Where(d => d.Subcommands is not null).SelectMany(d => d.Subcommands!.Values)))
        {
            var declared = CommandMetadata.Declared(def);
            if (declared is null)
            {
                mismatches.Add($"{def.FullName}: not a Redis 7.0.15 command");
                continue;
            }
            var ours = (def.Arity, def.FirstKey, def.LastKey, def.KeyStep);
            if (ours != declared.Value) mismatches.Add($"{def.FullName}: ours {ours}, redis {declared.Value}");
        }
        Assert.Empty(mismatches);
    }

    [Fact]
    public void Dbsize_and_flushes_propagate_even_when_empty()
    {
        var h = new EngineHarness();
        var log = h.CapturePropagation();
        h.Run("SET", "a", "1");
        h.Run("SET", "b", "2");
        Assert.Equal(":2\r\n", h.Run("DBSIZE"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FLUSHDB", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("FLUSHALL", "async", "x"));
        Assert.Equal("+OK\r\n", h.Run("FLUSHDB", "ASYNC"));
        Assert.Equal(":0\r\n", h.Run("DBSIZE"));
        Assert.Equal("+OK\r\n", h.Run("FLUSHDB"));
        h.Run("SELECT", "2");
        h.Run("SET", "c", "3");
        Assert.Equal("+OK\r\n", h.Run("FLUSHALL"));
        Assert.Equal(0, h.Engine.Keyspace.TotalKeys());
        var commands = log.Commands.Select(c => c.Command).ToList();
        Assert.Equal("*2\r\n$7\r\nFLUSHDB\r\n$5\r\nASYNC\r\n", commands[2]);
        Assert.Equal("*1\r\n$7\r\nFLUSHDB\r\n", commands[3]);
        Assert.Equal((2, "*1\r\n$8\r\nFLUSHALL\r\n"), log.Commands[5]);
    }

    [Fact]
    public void Time_reads_the_node_clock()
    {
        var clock = new ManualClock();
        var h = new EngineHarness(clock: clock);
        var now = clock.GetUtcNow();
        long micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        string s = (micros / 1_000_000).ToString(), us = (micros % 1_000_000).ToString();
        Assert.Equal($"*2\r\n${s.Length}\r\n{s}\r\n${us.Length}\r\n{us}\r\n", h.Run("TIME"));
    }

    [Fact]
    public void Role_lastsave_and_shutdown()
    {
        var h = new EngineHarness();
        Assert.Equal("*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", h.Run("ROLE"));
        Assert.Equal($":{h.Engine.StartTimeMs / 1000}\r\n", h.Run("LASTSAVE"));
        Assert.Equal("-ERR No shutdown in progress.\r\n", h.Run("SHUTDOWN", "ABORT"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SHUTDOWN", "NOSAVE", "SAVE"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("SHUTDOWN", "ABORT", "NOSAVE"));
        Assert.Equal("-ERR Errors trying to SHUTDOWN. Check logs.\r\n", h.Run("SHUTDOWN"));
        ShutdownFlags? asked = null;
        h.Engine.ShutdownRequested += f => asked = f;
        Assert.Equal("", h.Run("SHUTDOWN", "NOSAVE", "NOW"));
        Assert.Equal(ShutdownFlags.NoSave | ShutdownFlags.Now, asked);
        Assert.True(h.Client.Has(ClientFlags.CloseAfterReply));
    }

    [Fact]
    public void Monitor_feeds_quoted_commands_with_db_and_address()
    {
        var h = new EngineHarness();
        var monitor = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run(monitor, "MONITOR"));
        Assert.Equal("", h.Run(monitor, "MONITOR")); // already monitoring: ignored
        h.RunBytes(h.Client, ["SET"u8.ToArray(), "a\"b"u8.ToArray(), [1, (byte)'\n', (byte)'\\']]);
        h.Run("SELECT", "3");
        h.Run("AUTH", "x");
        h.Run("CLIENT", "LIST"); // admin: not shown
        var lines = h.TakeOutput(monitor).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^\+\d+\.\d{6} \[0 127\.0\.0\.1:50000\] ""SET"" ""a\\""b"" ""\\x01\\n\\\\""$", lines[0]);
        Assert.EndsWith(" [3 127.0.0.1:50000] \"SELECT\" \"3\"", lines[1]);
        Assert.EndsWith(" [3 127.0.0.1:50000] \"AUTH\" \"(redacted)\"", lines[2]);
        Assert.Contains(" flags=O ", h.Run("CLIENT", "LIST", "ID", monitor.Id.ToString()));
    }

    [Fact]
    public void Slowlog_records_slow_calls_newest_first()
    {
        var h = new EngineHarness(new ServerConfig { SlowlogLogSlowerThan = 0, SlowlogMaxLen = 2 });
        h.Run("CLIENT", "SETNAME", "cli");
        h.Run("SET", "k", new string('x', 200));
        h.Run("AUTH", "default", "pw");
        Assert.Equal(":2\r\n", h.Run("SLOWLOG", "LEN"));
        // Newest first and at most 2: SLOWLOG LEN (id 3), then AUTH (id 2); GET reads before it is logged itself.
        string get = h.Run("SLOWLOG", "GET");
        Assert.StartsWith("*2\r\n*6\r\n:3\r\n", get);
        Assert.Contains("*2\r\n$7\r\nSLOWLOG\r\n$3\r\nLEN\r\n", get);
        Assert.Contains("*6\r\n:2\r\n", get);
        Assert.Equal("-ERR count should be greater than or equal to -1\r\n", h.Run("SLOWLOG", "GET", "-2"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n", h.Run("SLOWLOG", "get", "1", "2"));
        Assert.Equal("+OK\r\n", h.Run("SLOWLOG", "RESET"));
        h.Engine.Config.SlowlogMaxLen = 10;
        h.Run("SLOWLOG", "RESET");
        h.Run("SET", "k", new string('x', 200));
        h.Run("AUTH", "default", "pw");
        string entries = h.Run("SLOWLOG", "GET", "2");
        Assert.Contains("$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n$15\r\n127.0.0.1:50000\r\n$3\r\ncli\r\n", entries);
        Assert.Contains("$" + (128 + "... (72 more bytes)".Length) + "\r\n" + new string('x', 128) + "... (72 more bytes)\r\n", entries);
    }

    [Fact]
    public void Slowlog_help()
    {
        var h = new EngineHarness();
        Assert.Equal("*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET [<count>]\r\n+    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n+    Entries are made of:\r\n+    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n+    client name\r\n+LEN\r\n+    Return the length of the slowlog.\r\n+RESET\r\n+    Reset the slowlog.\r\n+HELP\r\n+    Prints this help.\r\n",
            h.Run("SLOWLOG", "HELP"));
    }

    [Fact]
    public void Memory_usage_follows_redis_encodings()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        h.Run("SET", "k2", "12345");
        h.Run("SET", "k4", new string('a', 44));
        // Values measured on redis-server 7.0.15 (jemalloc).
        Assert.Equal(":64\r\n", h.Run("MEMORY", "USAGE", "k"));
        Assert.Equal(":48\r\n", h.Run("MEMORY", "USAGE", "k2"));
        Assert.Equal(":96\r\n", h.Run("MEMORY", "USAGE", "k4"));
        Assert.Equal("$-1\r\n", h.Run("MEMORY", "USAGE", "nokey"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("MEMORY", "USAGE", "k", "SAMPLES", "-1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("MEMORY", "USAGE", "k", "SAMPLES", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("MEMORY", "USAGE", "k", "foo"));
        Assert.Equal("-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n", h.Run("MEMORY", "FOO"));
        Assert.StartsWith("$", h.Run("MEMORY", "DOCTOR"));
    }

    [Fact]
    public void Debug_set_active_expire_stops_the_cron()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        lock (h.Engine.SyncRoot) h.Engine.Keyspace[0].SetExpire("k"u8, h.Engine.Keyspace.NowMs + 10);
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Engine.Cron();
        Assert.Equal(1, h.Engine.Keyspace[0].Count); // still there: only lazy expiry could remove it
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "SET-ACTIVE-EXPIRE", "1"));
        h.Engine.Cron();
        Assert.Equal(0, h.Engine.Keyspace[0].Count);
        Assert.Equal("+OK\r\n", h.Run("DEBUG", "SLEEP", "0"));
        Assert.Equal("-ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.\r\n", h.Run("DEBUG", "foo"));
        Assert.Equal("-ERR no such key\r\n", h.Run("DEBUG", "OBJECT", "nokey"));
        h.Run("SET", "n", "12345");
        Assert.Matches(@"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:3 lru:\d+ lru_seconds_idle:0\r\n$", h.Run("DEBUG", "OBJECT", "n"));
    }

    [Fact]
    public void Info_sections_and_formats()
    {
        var h = new EngineHarness();
        h.Run("SET", "k", "v");
        h.Run("GET", "k", "extra");
        h.Run("SELECT", "x");
        string info = h.Run("INFO");
        Assert.StartsWith("$", info);
        var headers = info.Split("\r\n").Where(l => l.StartsWith('#')).ToArray();
        Assert.Equal(["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU", "# Modules", "# Errorstats", "# Cluster", "# Keyspace"], headers);
        Assert.Contains("\r\nredis_version:7.0.15\r\n", info);
        Assert.Contains("\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:" + h.Engine.ReplId + "\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\n", info);
        Assert.Contains("\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n", info);
        Assert.Contains("\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n", info);
        Assert.Contains("\r\ntotal_error_replies:2\r\n", info);

        string stats = h.Run("INFO", "commandstats", "CPU");
        Assert.Matches(@"cmdstat_set:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n", stats);
        Assert.Contains("cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n", stats);
        Assert.Contains("cmdstat_select:calls=1,usec=", stats);
        Assert.Contains("rejected_calls=0,failed_calls=1\r\n", stats);
        Assert.Matches(@"# CPU\r\nused_cpu_sys:\d+\.\d{6}\r\n", stats);
        Assert.Equal("$0\r\n\r\n", h.Run("INFO", "nosuchsection"));
        Assert.Equal("$14\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n".Replace("$14", "$" + "# Cluster\r\ncluster_enabled:0\r\n".Length), h.Run("INFO", "cluster"));
        string everything = h.Run("INFO", "everything");
        Assert.Contains("# Commandstats\r\n", everything);
        Assert.Contains("# Latencystats\r\n", everything);
        h.Run("HELLO", "3");
        Assert.StartsWith("=", h.Run("INFO", "server"));
    }

    [Fact]
    public void Command_info_and_docs_render_the_captured_metadata()
    {
        var h = new EngineHarness();
        Assert.Equal("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
            h.Run("COMMAND", "INFO", "get"));
        Assert.Equal("*1\r\n$-1\r\n", h.Run("COMMAND", "INFO", "nosuch"));
        Assert.Equal("*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
            h.Run("COMMAND", "DOCS", "nosuch", "get"));
        h.Run("HELLO", "3");
        Assert.StartsWith("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n", h.Run("COMMAND", "INFO", "get"));
        Assert.StartsWith("%1\r\n$3\r\nget\r\n%5\r\n", h.Run("COMMAND", "DOCS", "get"));
        Assert.Equal("*1\r\n_\r\n", h.Run("COMMAND", "INFO", "nosuch"));
    }

    [Fact]
    public void Command_lists_only_what_the_table_has()
    {
        var h = new EngineHarness();
        int count = h.Engine.Table.Count;
        Assert.Equal($":{count}\r\n", h.Run("COMMAND", "COUNT"));
        Assert.StartsWith($"*{count}\r\n", h.Run("COMMAND"));
        string client = h.Run("COMMAND", "INFO", "client");
        Assert.Contains("client|list", client);
        Assert.DoesNotContain("client|tracking", client); // not implemented, so not advertised
        Assert.Equal("*1\r\n$6\r\ndbsize\r\n", h.Run("COMMAND", "LIST", "FILTERBY", "PATTERN", "dbsiz*"));
        Assert.Equal("*0\r\n", h.Run("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
        Assert.Equal("*0\r\n", h.Run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat"));
        Assert.Contains("$4\r\necho\r\n", h.Run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("COMMAND", "LIST", "FILTERBY", "foo", "x"));
        Assert.Equal("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n", h.Run("COMMAND", "FOO"));
    }

    [Fact]
    public void Command_getkeys_uses_key_specs()
    {
        var h = new EngineHarness();
        Assert.Equal("*1\r\n$1\r\na\r\n", h.Run("COMMAND", "GETKEYS", "get", "a"));
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", h.Run("COMMAND", "GETKEYS", "del", "a", "b", "c"));
        Assert.Equal("*1\r\n$1\r\nk\r\n", h.Run("COMMAND", "GETKEYS", "memory", "usage", "k"));
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n", h.Run("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"));
        Assert.Equal("*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n", h.Run("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "GET"));
        Assert.Equal("-ERR Invalid command specified\r\n", h.Run("COMMAND", "GETKEYS", "nosuch", "a"));
        Assert.Equal("-ERR The command has no key arguments\r\n", h.Run("COMMAND", "GETKEYS", "ping", "x"));
        Assert.Equal("-ERR Invalid number of arguments specified for command\r\n", h.Run("COMMAND", "GETKEYS", "get", "a", "b"));
        Assert.Equal("-ERR wrong number of arguments for 'command|getkeys' command\r\n", h.Run("COMMAND", "GETKEYS", "get"));
    }
}
