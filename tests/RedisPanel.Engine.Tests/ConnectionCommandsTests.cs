using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

/// <summary>Connection family replies, byte for byte as redis-server 7.0.15 sends them (checked by hand).</summary>
public class ConnectionCommandsTests
{
    [Fact]
    public void Ping_echo_and_arity()
    {
        var h = new EngineHarness();
        Assert.Equal("+PONG\r\n", h.Run("PING"));
        Assert.Equal("$1\r\na\r\n", h.Run("PING", "a"));
        Assert.Equal("-ERR wrong number of arguments for 'ping' command\r\n", h.Run("PING", "a", "b"));
        Assert.Equal("$2\r\nhi\r\n", h.Run("ECHO", "hi"));
        Assert.Equal("-ERR wrong number of arguments for 'echo' command\r\n", h.Run("ECHO"));
    }

    [Fact]
    public void Select_errors_match_getIntFromObjectOrReply()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", h.Run("SELECT", "4294967296"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", h.Run("SELECT", "x"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SELECT", "16"));
        Assert.Equal("-ERR DB index is out of range\r\n", h.Run("SELECT", "-1"));
        Assert.Equal("+OK\r\n", h.Run("SELECT", "3"));
        Assert.Equal(3, h.Client.Db);
    }

    [Fact]
    public void Auth_without_requirepass()
    {
        var h = new EngineHarness();
        Assert.Equal("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", h.Run("AUTH", "x"));
        Assert.Equal("+OK\r\n", h.Run("AUTH", "default", "anything"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", h.Run("AUTH", "bob", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("AUTH", "a", "b", "c"));
    }

    [Fact]
    public void Auth_with_requirepass_gates_commands()
    {
        var h = new EngineHarness(new ServerConfig { RequirePass = "secret" });
        Assert.Equal("-NOAUTH Authentication required.\r\n", h.Run("PING"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", h.Run("AUTH", "nope"));
        Assert.Equal("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n", h.Run("HELLO", "3"));
        Assert.Equal("+OK\r\n", h.Run("AUTH", "secret"));
        Assert.Equal("+PONG\r\n", h.Run("PING"));
        // RESET drops the authentication again, as clearClientConnectionState does.
        Assert.Equal("+RESET\r\n", h.Run("RESET"));
        Assert.Equal("-NOAUTH Authentication required.\r\n", h.Run("PING"));
        Assert.StartsWith("*14\r\n", h.Run("HELLO", "2", "AUTH", "default", "secret"));
        Assert.Equal("+PONG\r\n", h.Run("PING"));
    }

    [Fact]
    public void Hello_replies_the_exact_map_and_switches_protocol()
    {
        var h = new EngineHarness();
        long id = h.Client.Id;
        Assert.Equal($"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:{id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
            h.Run("HELLO", "3"));
        Assert.Equal(3, h.Client.Writer.Protocol);
        Assert.Equal("_\r\n", h.Run("CLIENT", "GETNAME"));
        Assert.StartsWith("%7\r\n", h.Run("HELLO"));
        Assert.StartsWith("*14\r\n$6\r\nserver\r\n", h.Run("HELLO", "2", "SETNAME", "app"));
        Assert.Equal("$3\r\napp\r\n", h.Run("CLIENT", "GETNAME"));
        Assert.Equal("-NOPROTO unsupported protocol version\r\n", h.Run("HELLO", "4"));
        Assert.Equal("-ERR Protocol version is not an integer or out of range\r\n", h.Run("HELLO", "x"));
        Assert.Equal("-ERR Syntax error in HELLO option 'FOO'\r\n", h.Run("HELLO", "3", "FOO"));
        Assert.Equal("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", h.Run("HELLO", "2", "SETNAME", "a b"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", h.Run("HELLO", "3", "AUTH", "bob", "x"));
        Assert.Equal(2, h.Client.Writer.Protocol);
    }

    [Fact]
    public void Reset_restores_a_fresh_connection()
    {
        var h = new EngineHarness();
        h.Run("HELLO", "3");
        h.Run("SELECT", "5");
        h.Run("CLIENT", "SETNAME", "x");
        h.Run("CLIENT", "NO-EVICT", "on");
        Assert.Equal("+RESET\r\n", h.Run("RESET"));
        Assert.Equal(0, h.Client.Db);
        Assert.Equal(2, h.Client.Writer.Protocol);
        Assert.Equal("$-1\r\n", h.Run("CLIENT", "GETNAME"));
        Assert.False(h.Client.Has(ClientFlags.NoEvict));
    }

    [Fact]
    public void Client_subcommand_errors_are_redis_7_0_texts()
    {
        var h = new EngineHarness();
        // CLIENT SETINFO only exists from Redis 7.2: 7.0.15 answers an unknown subcommand.
        Assert.Equal("-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n", h.Run("CLIENT", "SETINFO", "lib-name", "x"));
        Assert.Equal("-ERR wrong number of arguments for 'client' command\r\n", h.Run("CLIENT"));
        Assert.Equal("-ERR wrong number of arguments for 'client|id' command\r\n", h.Run("CLIENT", "ID", "x"));
        Assert.Equal("-ERR Unknown client type 'foo'\r\n", h.Run("CLIENT", "LIST", "TYPE", "foo"));
        Assert.Equal("-ERR Invalid client ID\r\n", h.Run("CLIENT", "LIST", "ID", "x"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("CLIENT", "LIST", "foo"));
        Assert.Equal("-ERR No such client\r\n", h.Run("CLIENT", "KILL", "1.2.3.4:5"));
        Assert.Equal("-ERR client-id should be greater than 0\r\n", h.Run("CLIENT", "KILL", "ID", "0"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("CLIENT", "KILL", "ID", "99", "SKIPME", "maybe"));
        Assert.Equal("-ERR No such user 'x'\r\n", h.Run("CLIENT", "KILL", "USER", "x"));
        Assert.Equal("-ERR timeout is not an integer or out of range\r\n", h.Run("CLIENT", "PAUSE", "x"));
        Assert.Equal("-ERR timeout is negative\r\n", h.Run("CLIENT", "PAUSE", "-1"));
        Assert.Equal("-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", h.Run("CLIENT", "PAUSE", "10", "FOO"));
        Assert.Equal("-ERR syntax error\r\n", h.Run("CLIENT", "NO-EVICT", "x"));
        Assert.Equal("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", h.Run("CLIENT", "SETNAME", "a\nb"));
        Assert.Equal($":{h.Client.Id}\r\n", h.Run("CLIENT", "ID"));
        Assert.StartsWith("*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n", h.Run("CLIENT", "HELP"));
    }

    [Fact]
    public void Client_list_line_has_the_7_0_15_fields_in_order()
    {
        var h = new EngineHarness();
        h.Run("CLIENT", "SETNAME", "me");
        string reply = h.Run("CLIENT", "INFO");
        var text = reply[(reply.IndexOf("\r\n") + 2)..^2];
        var names = text.TrimEnd('\n').Split(' ').Select(f => f[..f.IndexOf('=')]).ToArray();
        Assert.Equal(
            "id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir resp".Split(' '),
            names);
        Assert.Contains(" name=me ", text);
        Assert.Contains(" flags=N db=0 ", text);
        Assert.Contains(" cmd=client|info user=default redir=-1 resp=2", text);
        Assert.EndsWith("\n", text);
    }

    [Fact]
    public void Client_list_filters_by_type_and_id()
    {
        var h = new EngineHarness();
        var other = h.NewClient();
        h.Run(other, "PING");
        string all = h.Run("CLIENT", "LIST");
        Assert.Contains($"id={h.Client.Id} ", all);
        Assert.Contains($"id={other.Id} ", all);
        string one = h.Run("CLIENT", "LIST", "ID", other.Id.ToString(), "999");
        Assert.Contains($"id={other.Id} ", one);
        Assert.DoesNotContain($"id={h.Client.Id} ", one);
        Assert.Equal("$0\r\n\r\n", h.Run("CLIENT", "LIST", "TYPE", "master"));
        Assert.Equal("$0\r\n\r\n", h.Run("CLIENT", "LIST", "ID", "999"));
    }

    [Fact]
    public void Client_kill_closes_matching_clients_and_counts_them()
    {
        var h = new EngineHarness();
        var victim = h.NewClient();
        var closed = new List<long>();
        victim.CloseRequested = c => closed.Add(c.Id);
        h.Client.CloseRequested = c => closed.Add(c.Id);
        Assert.Equal(":1\r\n", h.Run("CLIENT", "KILL", "ID", victim.Id.ToString()));
        Assert.Equal([victim.Id], closed);
        // New form skips the caller by default; the old addr form can kill yourself (after the reply).
        Assert.Equal(":1\r\n", h.Run("CLIENT", "KILL", "TYPE", "normal"));
        Assert.Equal("+OK\r\n", h.Run("CLIENT", "KILL", "127.0.0.1:50000"));
        Assert.True(h.Client.Has(ClientFlags.CloseAfterReply));
    }

    [Fact]
    public void Client_pause_write_holds_writes_until_unpause()
    {
        var h = new EngineHarness();
        var writer = h.NewClient();
        Assert.Equal("+OK\r\n", h.Run("CLIENT", "PAUSE", "100000", "WRITE"));
        Assert.Equal("$-1\r\n", h.Run(writer, "GET", "k")); // reads go on
        Assert.Equal("", h.Run(writer, "SET", "k", "v"));     // writes wait
        Assert.True(writer.Has(ClientFlags.Blocked));
        Assert.NotNull(writer.Unblocked);
        var unblocked = writer.Unblocked!.Task;
        Assert.Contains(" flags=b ", h.Run("CLIENT", "LIST"));
        Assert.Equal("$-1\r\n", h.Run("GET", "k"));
        Assert.Equal("+OK\r\n", h.Run("CLIENT", "UNPAUSE"));
        Assert.True(unblocked.IsCompleted);
        Assert.Equal("+OK\r\n", h.TakeOutput(writer));
        Assert.Equal("$1\r\nv\r\n", h.Run("GET", "k"));
    }

    [Fact]
    public void Client_pause_ends_when_its_time_has_passed()
    {
        var h = new EngineHarness();
        var writer = h.NewClient();
        h.Run("CLIENT", "PAUSE", "1000");
        Assert.Equal("", h.Run(writer, "PING"));
        h.Clock.Advance(TimeSpan.FromMilliseconds(1001));
        h.Engine.Cron();
        Assert.Equal("+PONG\r\n", h.TakeOutput(writer));
        Assert.Equal(PauseKind.Off, h.Engine.PauseKind);
    }

    [Fact]
    public void Quit_replies_ok_and_closes()
    {
        var h = new EngineHarness();
        Assert.Equal("+OK\r\n", h.Run("QUIT"));
        Assert.True(h.Client.Has(ClientFlags.CloseAfterReply));
    }
}
