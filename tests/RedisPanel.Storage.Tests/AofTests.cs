using System.Text;
using RedisPanel.Storage.Aof;

namespace RedisPanel.Storage.Tests;

public class AofTests
{
    // What redis-server 7.0.15 wrote after BGREWRITEAOF with appendonly yes (two incr files while the rewrite ran).
    private const string RedisManifest =
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n";

    [Fact]
    public void Manifest_round_trips_redis_text_byte_for_byte()
    {
        var m = AofManifest.Parse(RedisManifest);
        Assert.Equal(new AofFileInfo("appendonly.aof.2.base.rdb", 2, AofFileType.Base), m.Base);
        Assert.Equal(["appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof"], m.Incr.Select(i => i.Name));
        Assert.Equal(2, m.CurrentBaseSeq);
        Assert.Equal(2, m.CurrentIncrSeq);
        Assert.Equal(RedisManifest, m.Format());
    }

    [Fact]
    public void Manifest_new_files_follow_redis_naming_and_rewrite_moves_old_incr_to_history()
    {
        var m = new AofManifest();
        m.NewBase("appendonly.aof");
        m.NewIncr("appendonly.aof");
        Assert.Equal("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", m.Format());
        m.NewIncr("appendonly.aof"); // a rewrite starts
        m.NewBase("appendonly.aof"); // and ends
        m.MarkRewrittenIncrAsHistory(keepLast: 1);
        Assert.Equal(
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\n"
            + "file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n", m.Format());
    }

    [Fact]
    public void Manifest_accepts_comments_case_insensitive_keys_any_order_and_quoted_names()
    {
        var m = AofManifest.Parse("# comment\nFILE \"my file.base.rdb\" TYPE b SEQ 7 extra x\nseq 3 type i file a.incr.aof\n");
        Assert.Equal("my file.base.rdb", m.Base!.Name);
        Assert.Equal(7, m.Base.Seq);
        Assert.Equal("a.incr.aof", m.Incr.Single().Name);
        Assert.StartsWith("file \"my file.base.rdb\" seq 7 type b\n", m.Format());
    }

    [Theory]
    [InlineData("", "Found an empty AOF manifest")]
    [InlineData("file a seq 1 type b", "too long line")] // no newline: fgets read a partial line
    [InlineData("\n", "Invalid AOF manifest file format")]
    [InlineData("file a seq 1\n", "Invalid AOF manifest file format")]
    [InlineData("file a seq 0 type i\n", "Invalid AOF manifest file format")]
    [InlineData("file dir/a seq 1 type i\n", "File can't be a path, just a filename")]
    [InlineData("file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information")]
    [InlineData("file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number")]
    [InlineData("file a seq 1 type x\n", "Unknown AOF file type")]
    [InlineData("file \"a seq 1 type i\n", "Invalid AOF manifest file format")]
    public void Manifest_errors_are_redis_messages(string text, string expected)
    {
        var e = Assert.Throws<AofManifestException>(() => AofManifest.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Manifest_error_names_the_line()
    {
        var e = Assert.Throws<AofManifestException>(() => AofManifest.Parse("file a seq 1 type b\nfile b seq 1 type z\n"));
        Assert.Contains("line 2", e.Message);
    }

    private static List<string> ReadAll(string text, out AofReadStatus status, out AofCommandReader reader)
    {
        reader = new AofCommandReader(Encoding.ASCII.GetBytes(text));
        var commands = new List<string>();
        while ((status = reader.Next(out var args)) == AofReadStatus.Command)
            commands.Add(string.Join(' ', args.Select(a => Encoding.ASCII.GetString(a))));
        return commands;
    }

    private const string TwoCommands = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$0\r\n\r\n";

    [Fact]
    public void Reader_reads_commands_and_skips_timestamp_annotations()
    {
        var commands = ReadAll("#TS:1700000000\r\n" + TwoCommands, out var status, out var reader);
        Assert.Equal(["SELECT 0", "set a "], commands);
        Assert.Equal(AofReadStatus.End, status);
        Assert.Equal(16 + TwoCommands.Length, reader.Position);
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc")] // inside a bulk
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n")]           // missing arguments
    [InlineData("*3\r\n$3\r\nSE")]
    [InlineData("*3")]                                        // inside the header line
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv")]     // missing the final CRLF
    public void Reader_reports_a_torn_tail_as_truncated_after_the_last_whole_command(string tail)
    {
        var commands = ReadAll(TwoCommands + tail, out var status, out var reader);
        Assert.Equal(2, commands.Count);
        Assert.Equal(AofReadStatus.Truncated, status);
        Assert.Equal(TwoCommands.Length, reader.Position); // where aof-load-truncated cuts the file
    }

    [Theory]
    [InlineData("!3\r\n$3\r\nSET\r\n", 0)]
    [InlineData("*0\r\n", 0)]
    [InlineData("*x\r\n", 0)]
    [InlineData("*1\r\n+PING\r\n", 4)]
    public void Reader_reports_garbage_as_a_format_error_with_its_offset(string bad, int offsetInBad)
    {
        ReadAll(TwoCommands + bad + TwoCommands, out var status, out var reader);
        Assert.Equal(AofReadStatus.Format, status);
        Assert.Equal(TwoCommands.Length + offsetInBad, reader.ErrorOffset);
        Assert.Equal(TwoCommands.Length, reader.Position);
    }
}
