// A reply printed as redis-cli prints it to a terminal (cliFormatReplyTTY in redis-cli.c, also its output with
// --no-raw): quoted strings with sdscatrepr's escapes, "(integer) n", "(nil)", "(error) ...", "(empty array)",
// and arrays numbered "1) " with the number width of the largest index and nested items indented to match.
using System.Text;

namespace RedisPanel.Web.Remote;

public static class ConsoleFormatter
{
    /// <summary>The reply as redis-cli shows it, without the final newline.</summary>
    public static string Format(RespReply reply)
    {
        var sb = new StringBuilder();
        Append(sb, reply, "");
        if (sb.Length > 0 && sb[^1] == '\n') sb.Length--;
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, RespReply r, string prefix)
    {
        switch (r.Kind)
        {
            case RespReplyKind.Error:
                sb.Append("(error) ").Append(r.Text).Append('\n');
                break;
            case RespReplyKind.Status:
                sb.Append(r.Text).Append('\n');
                break;
            case RespReplyKind.Integer:
                sb.Append("(integer) ").Append(r.Text).Append('\n');
                break;
            case RespReplyKind.Bulk:
                sb.Append(RedisPanel.Engine.RedisEngine.Quote(r.Bytes)); // redis-cli prints bulk strings with sdscatrepr
                sb.Append('\n');
                break;
            case RespReplyKind.Nil:
                sb.Append("(nil)\n");
                break;
            case RespReplyKind.Array when r.Items.Count == 0:
                sb.Append("(empty array)\n");
                break;
            case RespReplyKind.Array:
            {
                int width = r.Items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
                // Nested items are indented by the index width plus ") ".
                string nested = prefix + new string(' ', width + 2);
                for (int i = 0; i < r.Items.Count; i++)
                {
                    // The first item follows the number the parent already printed on this line.
                    if (i > 0) sb.Append(prefix);
                    sb.Append((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width)).Append(") ");
                    Append(sb, r.Items[i], nested);
                }
                break;
            }
        }
    }
}
