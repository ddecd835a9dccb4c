// The manifest of Redis 7.0's multi-part AOF (aof.c: getAofManifestAsString / aofLoadManifestFromFile): one line
// per file, "file <name> seq <n> type <b|h|i>", the base first, then history, then incremental files in sequence
// order. Parsing follows Redis's checks and messages so a manifest Redis refuses is refused here too.
using System.Globalization;
using System.Text;

namespace RedisPanel.Storage.Aof;

/// <summary>Kind of a file listed in the manifest (Redis's AOF_FILE_TYPE_*).</summary>
public enum AofFileType
{
    Base = 'b',
    History = 'h',
    Incr = 'i',
}

/// <summary>One manifest line.</summary>
public sealed record AofFileInfo(string Name, long Seq, AofFileType Type);

/// <summary>A manifest that cannot be used; the message is Redis's, plus the line number when there is one.</summary>
public sealed class AofManifestException(string message) : Exception(message);

/// <summary>The AOF manifest: at most one base, history files awaiting deletion, and the incremental files to replay.</summary>
public sealed class AofManifest
{
    public const string BaseSuffix = ".base";
    public const string IncrSuffix = ".incr";
    public const string RdbSuffix = ".rdb";
    public const string AofSuffix = ".aof";
    public const string ManifestSuffix = ".manifest";
    public const string TempPrefix = "temp-";

    public AofFileInfo? Base { get; set; }
    public List<AofFileInfo> History { get; } = new();
    public List<AofFileInfo> Incr { get; } = new();
    public long CurrentBaseSeq { get; set; }
    public long CurrentIncrSeq { get; set; }

    /// <summary>The manifest's own file name (appendfilename + ".manifest").</summary>
    public static string ManifestName(string appendFilename) => appendFilename + ManifestSuffix;

    /// <summary>Name of base file number <paramref name="seq"/>: appendonly.aof.N.base.rdb (RDB preamble) or .aof.</summary>
    public static string BaseName(string appendFilename, long seq, bool rdb = true)
        => $"{appendFilename}.{seq.ToString(CultureInfo.InvariantCulture)}{BaseSuffix}{(rdb ? RdbSuffix : AofSuffix)}";

    /// <summary>Name of incremental file number <paramref name="seq"/>: appendonly.aof.N.incr.aof.</summary>
    public static string IncrName(string appendFilename, long seq)
        => $"{appendFilename}.{seq.ToString(CultureInfo.InvariantCulture)}{IncrSuffix}{AofSuffix}";

    /// <summary>Starts a new base (seq + 1); the previous one becomes history.</summary>
    public AofFileInfo NewBase(string appendFilename)
    {
        if (Base is not null) History.Add(Base with { Type = AofFileType.History });
        Base = new AofFileInfo(BaseName(appendFilename, ++CurrentBaseSeq), CurrentBaseSeq, AofFileType.Base);
        return Base;
    }

    /// <summary>Starts a new incremental file (seq + 1), appended after the existing ones.</summary>
    public AofFileInfo NewIncr(string appendFilename)
    {
        var info = new AofFileInfo(IncrName(appendFilename, ++CurrentIncrSeq), CurrentIncrSeq, AofFileType.Incr);
        Incr.Add(info);
        return info;
    }

    /// <summary>After a rewrite: every incremental file but the last becomes history (markRewrittenIncrAofAsHistory).</summary>
    public void MarkRewrittenIncrAsHistory(int keepLast)
    {
        int drop = Math.Max(0, Incr.Count - keepLast);
        for (int i = 0; i < drop; i++) History.Add(Incr[i] with { Type = AofFileType.History });
        Incr.RemoveRange(0, drop);
    }

    public AofManifest Clone()
    {
        var m = new AofManifest { Base = Base, CurrentBaseSeq = CurrentBaseSeq, CurrentIncrSeq = CurrentIncrSeq };
        m.History.AddRange(History);
        m.Incr.AddRange(Incr);
        return m;
    }

    /// <summary>The manifest text: base, history, incr, one "file .. seq .. type .." line each.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        if (Base is not null) Line(sb, Base);
        foreach (var h in History) Line(sb, h);
        foreach (var i in Incr) Line(sb, i);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, AofFileInfo f)
    {
        // aofInfoFormat quotes the name (sdscatrepr) only when it needs it.
        sb.Append("file ").Append(NeedsQuoting(f.Name) ? Quote(f.Name) : f.Name)
          .Append(" seq ").Append(f.Seq.ToString(CultureInfo.InvariantCulture))
          .Append(" type ").Append((char)f.Type).Append('\n');
    }

    private static bool NeedsQuoting(string s)
    {
        foreach (char c in s)
            if (c is '\\' or '"' or '\n' or '\r' or '\t' or '\a' or '\b' or ' ' || c < 32 || c > 126) return true;
        return false;
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                default:
                    if (c >= 32 && c < 127) sb.Append(c);
                    else sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Parses a manifest as aofLoadManifestFromFile does. Throws <see cref="AofManifestException"/>.</summary>
    public static AofManifest Parse(string text)
    {
        var m = new AofManifest();
        long maxSeq = 0;
        int lineNo = 0;
        int pos = 0;
        if (text.Length == 0) throw new AofManifestException("Found an empty AOF manifest");
        while (pos < text.Length)
        {
            int nl = text.IndexOf('\n', pos);
            string raw = nl < 0 ? text[pos..] : text[pos..nl];
            bool hasNewline = nl >= 0;
            pos = nl < 0 ? text.Length : nl + 1;
            lineNo++;
            if (raw.StartsWith('#')) continue; // comment lines
            string Fail(string err) => $"Reading the manifest file, at line {lineNo}: '{raw.Trim(' ', '\t', '\r')}': {err}";
            if (!hasNewline || raw.Length > 1024) throw new AofManifestException(Fail("The AOF manifest file contains too long line"));
            string line = raw.Trim(' ', '\t', '\r', '\n');
            if (line.Length == 0) throw new AofManifestException(Fail("Invalid AOF manifest file format"));
            var argv = SplitArgs(line);
            if (argv is null || argv.Count < 6 || argv.Count % 2 != 0) throw new AofManifestException(Fail("Invalid AOF manifest file format"));
            string? name = null;
            long seq = 0;
            char type = '\0';
            for (int i = 0; i < argv.Count; i += 2)
            {
                if (argv[i].Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    name = argv[i + 1];
                    if (name.Contains('/')) throw new AofManifestException(Fail("File can't be a path, just a filename"));
                }
                else if (argv[i].Equals("seq", StringComparison.OrdinalIgnoreCase)) seq = Atoll(argv[i + 1]);
                else if (argv[i].Equals("type", StringComparison.OrdinalIgnoreCase)) type = argv[i + 1].Length > 0 ? argv[i + 1][0] : '\0';
                // other keys: ignored for forward compatibility, as Redis does
            }
            if (name is null || seq == 0 || type == '\0') throw new AofManifestException(Fail("Invalid AOF manifest file format"));
            switch (type)
            {
                case 'b':
                    if (m.Base is not null) throw new AofManifestException(Fail("Found duplicate base file information"));
                    m.Base = new AofFileInfo(name, seq, AofFileType.Base);
                    m.CurrentBaseSeq = seq;
                    break;
                case 'h':
                    m.History.Add(new AofFileInfo(name, seq, AofFileType.History));
                    break;
                case 'i':
                    if (seq <= maxSeq) throw new AofManifestException(Fail("Found a non-monotonic sequence number"));
                    m.Incr.Add(new AofFileInfo(name, seq, AofFileType.Incr));
                    m.CurrentIncrSeq = maxSeq = seq;
                    break;
                default:
                    throw new AofManifestException(Fail("Unknown AOF file type"));
            }
        }
        return m;
    }

    /// <summary>atoll: leading digits (with sign), 0 when none.</summary>
    private static long Atoll(string s)
    {
        int i = 0;
        bool neg = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
        long v = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++) v = unchecked(v * 10 + (s[i] - '0'));
        return neg ? -v : v;
    }

    /// <summary>sdssplitargs: space separated, "double quoted" with C escapes, 'single quoted'. Null on unbalanced quotes.</summary>
    private static List<string>? SplitArgs(string line)
    {
        var result = new List<string>();
        int p = 0;
        while (true)
        {
            while (p < line.Length && char.IsWhiteSpace(line[p])) p++;
            if (p >= line.Length) return result;
            var cur = new StringBuilder();
            bool inq = false, insq = false, done = false;
            while (!done)
            {
                if (inq)
                {
                    if (p >= line.Length) return null;
                    if (line[p] == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && Uri.IsHexDigit(line[p + 2]) && Uri.IsHexDigit(line[p + 3]))
                    {
                        cur.Append((char)Convert.ToByte(line.Substring(p + 2, 2), 16));
                        p += 3;
                    }
                    else if (line[p] == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        cur.Append(line[p] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'a' => '\a', var c => c });
                    }
                    else if (line[p] == '"')
                    {
                        if (p + 1 < line.Length && !char.IsWhiteSpace(line[p + 1])) return null;
                        done = true;
                    }
                    else cur.Append(line[p]);
                }
                else if (insq)
                {
                    if (p >= line.Length) return null;
                    if (line[p] == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        cur.Append('\'');
                    }
                    else if (line[p] == '\'')
                    {
                        if (p + 1 < line.Length && !char.IsWhiteSpace(line[p + 1])) return null;
                        done = true;
                    }
                    else cur.Append(line[p]);
                }
                else
                {
                    if (p >= line.Length) { done = true; break; }
                    switch (line[p])
                    {
                        case ' ' or '\n' or '\r' or '\t' or '\0': done = true; break;
                        case '"': inq = true; break;
                        case '\'': insq = true; break;
                        default: cur.Append(line[p]); break;
                    }
                }
                if (p < line.Length) p++;
            }
            result.Add(cur.ToString());
        }
    }
}
