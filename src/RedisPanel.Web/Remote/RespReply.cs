using System.Text;

namespace RedisPanel.Web.Remote;

/// <summary>The RESP2 reply types (a null bulk and a null array are both <see cref="Nil"/>, as redis-cli prints them).</summary>
public enum RespReplyKind { Status, Error, Integer, Bulk, Nil, Array }

/// <summary>One RESP2 reply as read from a server: bytes stay bytes, arrays nest.</summary>
public sealed class RespReply
{
    private RespReply(RespReplyKind kind, byte[]? bytes, long integer, IReadOnlyList<RespReply>? items)
    {
        Kind = kind;
        Bytes = bytes;
        Integer = integer;
        Items = items ?? [];
    }

    public static readonly RespReply Nil = new(RespReplyKind.Nil, null, 0, null);

    public RespReplyKind Kind { get; }

    /// <summary>The payload of a status, error or bulk reply.</summary>
    public byte[]? Bytes { get; }

    public long Integer { get; }
    public IReadOnlyList<RespReply> Items { get; }

    public bool IsError => Kind == RespReplyKind.Error;

    /// <summary>Status, error and bulk payloads as text (UTF-8), the integer in invariant digits, else "".</summary>
    public string Text => Kind switch
    {
        RespReplyKind.Integer => Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ when Bytes is not null => Encoding.UTF8.GetString(Bytes),
        _ => "",
    };

    public static RespReply Status(byte[] b) => new(RespReplyKind.Status, b, 0, null);
    public static RespReply Error(byte[] b) => new(RespReplyKind.Error, b, 0, null);
    public static RespReply Bulk(byte[] b) => new(RespReplyKind.Bulk, b, 0, null);
    public static RespReply Int(long v) => new(RespReplyKind.Integer, null, v, null);
    public static RespReply Array(IReadOnlyList<RespReply> items) => new(RespReplyKind.Array, null, 0, items);

    public override string ToString() => Kind switch
    {
        RespReplyKind.Array => "[" + string.Join(", ", Items) + "]",
        RespReplyKind.Nil => "(nil)",
        RespReplyKind.Error => "-" + Text,
        _ => Text,
    };
}
