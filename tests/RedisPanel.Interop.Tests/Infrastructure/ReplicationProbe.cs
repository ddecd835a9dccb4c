using System.Text;
using System.Text.RegularExpressions;

namespace RedisPanel.Interop.Tests.Infrastructure;

/// <summary>Reads what the replication interop tests compare: INFO sections and their fields.</summary>
internal static class ReplicationProbe
{
    /// <summary>The text of INFO <paramref name="section"/> (the bulk header skipped).</summary>
    public static string Info(TestRespClient c, string section)
    {
        var raw = Encoding.Latin1.GetString(c.Call("INFO", section));
        return raw[(raw.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
    }

    /// <summary>The value of <c>name:value</c> in an INFO text, "" when absent.</summary>
    public static string Field(string info, string name)
    {
        var m = Regex.Match(info, "^" + Regex.Escape(name) + ":(.*?)\r$", RegexOptions.Multiline);
        return m.Success ? m.Groups[1].Value : "";
    }
}
