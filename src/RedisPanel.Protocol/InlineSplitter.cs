namespace RedisPanel.Protocol;

/// <summary>
/// Splits an inline command line into arguments with the rules of Redis's sdssplitargs: spaces separate,
/// "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take only \', and a closing
/// quote must be followed by a space or the end of the line.
/// </summary>
public static class InlineSplitter
{
    /// <summary>Appends the arguments of <paramref name="line"/> to the open command; false on unbalanced quotes.</summary>
    internal static bool Split(ReadOnlySpan<byte> line, CommandBatch batch)
    {
        var current = new List<byte>(32);
        int p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p])) p++;
            if (p >= line.Length) return true;
            current.Clear();
            bool inDq = false, inSq = false, done = false;
            while (!done)
            {
                if (inDq)
                {
                    if (p >= line.Length) return false;
                    byte c = line[p];
                    if (c == '\\' && p + 3 < line.Length && line[p + 1] == 'x' && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        current.Add((byte)(HexValue(line[p + 2]) * 16 + HexValue(line[p + 3])));
                        p += 3;
                    }
                    else if (c == '\\' && p + 1 < line.Length)
                    {
                        p++;
                        current.Add(line[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1])) return false;
                        done = true;
                    }
                    else current.Add(c);
                }
                else if (inSq)
                {
                    if (p >= line.Length) return false;
                    byte c = line[p];
                    if (c == '\\' && p + 1 < line.Length && line[p + 1] == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        if (p + 1 < line.Length && !IsSpace(line[p + 1])) return false;
                        done = true;
                    }
                    else current.Add(c);
                }
                else
                {
                    if (p >= line.Length) { done = true; break; }
                    byte c = line[p];
                    switch (c)
                    {
                        case (byte)' ': case (byte)'\n': case (byte)'\r': case (byte)'\t': case 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDq = true;
                            break;
                        case (byte)'\'':
                            inSq = true;
                            break;
                        default:
                            current.Add(c);
                            break;
                    }
                }
                if (p < line.Length) p++;
            }
            var dest = batch.AddArg(current.Count);
            for (int i = 0; i < current.Count; i++) dest[i] = current[i];
        }
    }

    /// <summary>Splits a line into arguments (config files, tests); null on unbalanced quotes.</summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var batch = new CommandBatch();
        batch.BeginCommand();
        if (!Split(line, batch)) return null;
        batch.EndCommand();
        var args = new ArgList();
        batch.GetCommand(0, args);
        var result = new List<byte[]>(args.Count);
        for (int i = 0; i < args.Count; i++) result.Add(args.ToArray(i));
        return result;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';
    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';
    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
