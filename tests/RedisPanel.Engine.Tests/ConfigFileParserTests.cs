using RedisPanel.Engine.Config;

namespace RedisPanel.Engine.Tests;

/// <summary>redis.conf parsing; error texts were compared with `redis-server bad.conf` (Redis 7.0.15).</summary>
public sealed class ConfigFileParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rp-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private ConfigFileException LoadFails(string text, IEnumerable<string>? overrides = null)
    {
        string path = Write("bad.conf", text);
        return Assert.Throws<ConfigFileException>(() => ConfigFileParser.Load(path, overrides));
    }

    [Theory]
    [InlineData("port 6379\nfoo bar\n", 2, "foo bar", "Bad directive or wrong number of arguments")]
    [InlineData("port abc\n", 1, "port abc", "argument couldn't be parsed into an integer")]
    [InlineData("protected-mode maybe\n", 1, "protected-mode maybe", "argument must be 'yes' or 'no'")]
    [InlineData("port 1 2\n", 1, "port 1 2", "wrong number of arguments")]
    [InlineData("save 1\n", 1, "save 1", "Invalid save parameters")]
    [InlineData("replicaof 127.0.0.2\n", 1, "replicaof 127.0.0.2", "wrong number of arguments")]
    [InlineData("replicaof a b\n", 1, "replicaof a b", "Invalid master port")]
    [InlineData("port \"6379\n", 1, "port \"6379", "Unbalanced quotes in configuration line")]
    [InlineData("loglevel foo\n", 1, "loglevel foo", "argument(s) must be one of the following: debug, verbose, notice, warning")]
    [InlineData("maxmemory 1x\n", 1, "maxmemory 1x", "argument must be a memory value")]
    [InlineData("   # c\n\n  port 7  \ndatabases 0\n", 4, "databases 0", "argument must be between 1 and 2147483647 inclusive")]
    [InlineData("client-output-buffer-limit normal 1 2\n", 1, "client-output-buffer-limit normal 1 2", "Wrong number of arguments in buffer limit configuration.")]
    [InlineData("dbfilename a/b\n", 1, "dbfilename a/b", "dbfilename can't be a path, just a filename")]
    [InlineData("rename-command NOSUCH x\n", 1, "rename-command NOSUCH x", "No such command in rename-command")]
    public void Bad_lines_fail_with_redis_text_and_name_the_file(string text, int line, string lineText, string reason)
    {
        var ex = LoadFails(text);
        Assert.Equal(line, ex.Line);
        Assert.Equal(lineText, ex.LineText);
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(Path.Combine(_dir, "bad.conf"), ex.FileName);
        Assert.Equal(
            $"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{lineText}'\n{reason}\n(in {ex.FileName})",
            ex.Message);
    }

    [Fact]
    public void Command_line_options_are_lines_after_the_file()
    {
        // redis-server bad.conf --port abc  =>  line 3, >>> 'port "abc"'
        var (file, lines) = ConfigFileParser.CommandLineToLines(["x.conf", "--port", "abc"]);
        Assert.Equal("x.conf", file);
        var ex = LoadFails("port 17302\n", lines);
        Assert.Equal(3, ex.Line);
        Assert.Equal("port \"abc\"", ex.LineText);
        Assert.Equal("command line", ex.FileName);

        var (_, lines2) = ConfigFileParser.CommandLineToLines(["--foo"]);
        ex = LoadFails("port 17302\n", lines2);
        Assert.Equal(3, ex.Line);
        Assert.Equal("foo", ex.LineText);
        Assert.Equal("Bad directive or wrong number of arguments", ex.Reason);
    }

    [Fact]
    public void Command_line_forms_like_redis_server()
    {
        Assert.Equal(["port \"6380\" ", "replicaof \"127.0.0.1 6379\" ", "save \"\""],
            ConfigFileParser.CommandLineToLines(["--port", "6380", "--replicaof", "127.0.0.1 6379", "--save"]).Lines);
        Assert.Equal(["save \"\"", "port \"1\" "], ConfigFileParser.CommandLineToLines(["--save", "--port", "1"]).Lines);
        Assert.Equal(["save \"60\" \"1\" \"10\" \"2\" "], ConfigFileParser.CommandLineToLines(["--save", "60", "1", "10", "2"]).Lines);
        Assert.Equal(["port 7 "], ConfigFileParser.CommandLineToLines(["--port 7"]).Lines);

        string path = Write("a.conf", "port 1\n");
        var c = ConfigFileParser.Load(path, ConfigFileParser.CommandLineToLines(["--port", "6380", "--replicaof", "127.0.0.1 6379", "--save", ""]).Lines);
        Assert.Equal(6380, c.Port);
        Assert.Equal("127.0.0.1 6379", c.ReplicaOf);
        Assert.Empty(c.SavePoints);
        Assert.Equal(path, c.ConfigFile);
    }

    [Fact]
    public void Later_lines_override_and_save_lines_accumulate()
    {
        string path = Write("a.conf", """
            # comment
            port 7000
            PORT 7001
            save 900 1
            save 300 10
            slaveof 127.0.0.2 6379
            slave-read-only no
            maxmemory 2GB
            repl-backlog-size 64k
            requirepass "p w"
            bind 127.0.0.1 -::1
            appendonly yes
            appendfsync always
            hz 1000
            list-max-ziplist-entries 512
            """);
        var c = ConfigFileParser.Load(path);
        Assert.Equal(7001, c.Port);
        Assert.Equal([(900, 1), (300, 10)], c.SavePoints);
        Assert.Equal("127.0.0.2 6379", c.ReplicaOf);
        Assert.False(c.ReplicaReadOnly);
        Assert.Equal(2L * 1024 * 1024 * 1024, c.MaxMemory);
        Assert.Equal(64000, c.ReplBacklogSize);
        Assert.Equal("p w", c.RequirePass);
        Assert.Equal(["127.0.0.1", "-::1"], c.Bind);
        Assert.True(c.AppendOnly);
        Assert.Equal("always", c.AppendFsync);
        Assert.Equal(500, c.Hz); // capped after loading
    }

    [Fact]
    public void Without_save_lines_the_defaults_stay_and_save_empty_disables()
    {
        Assert.Equal([(3600, 1), (300, 100), (60, 10000)], ConfigFileParser.Load(Write("a.conf", "port 1\n")).SavePoints);
        Assert.Empty(ConfigFileParser.Load(Write("b.conf", "save \"\"\n")).SavePoints);
        Assert.Equal([(60, 1)], ConfigFileParser.Load(Write("c.conf", "save \"\"\nsave 60 1\n")).SavePoints);
        Assert.Equal([(60, 1), (10, 2)], ConfigFileParser.Load(Write("d.conf", "save \"60 1 10 2\"\n")).SavePoints);
    }

    [Fact]
    public void Include_reads_at_that_point_nested_and_relative_to_the_working_dir()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_dir, "conf.d")).FullName;
        File.WriteAllText(Path.Combine(sub, "b.conf"), "port 7002\ninclude " + Path.Combine(sub, "c.conf") + "\n");
        File.WriteAllText(Path.Combine(sub, "c.conf"), "replica-priority 50\n");
        // `dir` changes Redis's working directory, so the relative include below resolves inside _dir.
        string main = Write("main.conf", $"port 7000\ndir {_dir}\ninclude conf.d/b.conf\nmaxclients 7\n");
        var c = ConfigFileParser.Load(main);
        Assert.Equal(7002, c.Port);
        Assert.Equal(50, c.ReplicaPriority);
        Assert.Equal(7, c.MaxClients);

        // A glob matching nothing is fine; a plain missing path is fatal.
        Assert.Equal(7000, ConfigFileParser.Load(Write("g.conf", $"port 7000\ninclude {_dir}/none/*.conf\n")).Port);
        var ex = LoadFails("include /nonexist-rp.conf\n");
        Assert.Equal("Fatal error, can't open config file '/nonexist-rp.conf': No such file or directory", ex.Message);

        // An error inside an included file names that file and its own line number.
        File.WriteAllText(Path.Combine(sub, "bad.conf"), "# x\nnosuch 1\n");
        ex = LoadFails($"port 1\ninclude {Path.Combine(sub, "bad.conf")}\n");
        Assert.Equal(Path.Combine(sub, "bad.conf"), ex.FileName);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Logfile_must_be_openable()
    {
        var ex = LoadFails("logfile /nonexistent-rp/x.log\n");
        Assert.Equal(0, ex.Line);
        Assert.Equal("Can't open the log file: No such file or directory", ex.Reason);
        Assert.StartsWith("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n", ex.Message);
    }

    [Fact]
    public void Missing_main_file_is_fatal()
    {
        var ex = Assert.Throws<ConfigFileException>(() => ConfigFileParser.Load(Path.Combine(_dir, "none.conf")));
        Assert.Contains("can't open config file", ex.Message);
    }

    [Fact]
    public void Stored_directives_are_accepted_and_reported()
    {
        var c = ConfigFileParser.Load(Write("a.conf", "activerehashing no\nlazyfree-lazy-eviction yes\nhash-max-listpack-entries 100\nunixsocketperm 700\n"));
        var h = new EngineHarness(c);
        Assert.Equal("*2\r\n$15\r\nactiverehashing\r\n$2\r\nno\r\n", h.Run("CONFIG", "GET", "activerehashing"));
        Assert.Equal("*2\r\n$24\r\nhash-max-ziplist-entries\r\n$3\r\n100\r\n", h.Run("CONFIG", "GET", "hash-max-ziplist-entries"));
        Assert.Equal("*2\r\n$14\r\nunixsocketperm\r\n$3\r\n700\r\n", h.Run("CONFIG", "GET", "unixsocketperm"));
    }
}

public class ConfigFileParserApiTests
{
    private delegate ServerConfig LoadConfigFile(string path);

    [Fact]
    public void Load_converts_to_a_path_only_delegate_as_the_web_host_uses_it()
    {
        LoadConfigFile load = ConfigFileParser.Load;
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "port 6390\n");
            Assert.Equal(6390, load(path).Port);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
