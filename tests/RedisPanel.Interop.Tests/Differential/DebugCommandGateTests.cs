// enable-debug-command (no / local / yes) against a real redis-server with the same setting: the same replies
// byte for byte, including where the refusal comes (after arity, before authentication, flagging MULTI).
using RedisPanel.Interop.Tests.Infrastructure;

namespace RedisPanel.Interop.Tests.Differential;

public sealed class DebugCommandGateTests
{
    private static readonly string[][] Script =
    [
        ["DEBUG", "SLEEP", "0"],
        ["DEBUG"],
        ["DEBUG", "HELP"],
        ["DEBUG", "NOSUCH"],
        ["MULTI"],
        ["DEBUG", "SLEEP", "0"],
        ["SET", "k", "v"],
        ["EXEC"],
        ["GET", "k"],
        ["CONFIG", "GET", "enable-debug-command"],
    ];

    [Theory]
    [InlineData("no")]
    [InlineData("local")]
    [InlineData("yes")]
    public async Task Debug_is_refused_or_allowed_as_real_redis(string setting)
    {
        await using var node = await NodeFixture.StartAsync(c => c.EnableDebugCommand = setting);
        using var real = RedisServerProcess.Start("--enable-debug-command", setting);
        using var ours = TestRespClient.Connect(node.Port);
        using var theirs = TestRespClient.Connect(real.Port);
        foreach (var command in Script)
            Assert.Equal(theirs.CallText(command), ours.CallText(command));
        if (setting != "no") Assert.Equal("+OK\r\n", ours.CallText("DEBUG", "SLEEP", "0"));
        else Assert.StartsWith("-ERR DEBUG command not allowed.", ours.CallText("DEBUG", "SLEEP", "0"));
    }

    [Fact]
    public async Task The_refusal_comes_before_authentication_as_real_redis()
    {
        await using var node = await NodeFixture.StartAsync(c =>
        {
            c.EnableDebugCommand = "no";
            c.RequirePass = "secret";
        });
        using var real = RedisServerProcess.Start("--enable-debug-command", "no", "--requirepass", "secret");
        using var ours = TestRespClient.Connect(node.Port);
        using var theirs = TestRespClient.Connect(real.Port);
        foreach (var command in new[] { new[] { "DEBUG", "SLEEP", "0" }, ["DEBUG"], ["GET", "k"] })
            Assert.Equal(theirs.CallText(command), ours.CallText(command));
    }

    [Fact]
    public async Task Enable_debug_command_is_read_from_a_config_file_and_immutable()
    {
        await using var node = await NodeFixture.StartAsync(c => c.EnableDebugCommand = "local");
        using var real = RedisServerProcess.Start("--enable-debug-command", "local");
        using var ours = TestRespClient.Connect(node.Port);
        using var theirs = TestRespClient.Connect(real.Port);
        foreach (var command in new[] { new[] { "CONFIG", "SET", "enable-debug-command", "yes" }, ["CONFIG", "GET", "enable-debug-command"] })
            Assert.Equal(theirs.CallText(command), ours.CallText(command));
    }
}
