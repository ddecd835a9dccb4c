// Parser for the differential case files (Cases/*.redis): "### title" starts a case, "#" lines are comments,
// every other line is one command split with redis-cli's quoting rules, optionally prefixed by a directive.
using System.Text;
using RedisPanel.Protocol;

namespace RedisPanel.Interop.Tests.Differential;

/// <summary>How a command's replies are compared.</summary>
public enum CompareMode
{
    /// <summary>Byte for byte.</summary>
    Exact,
    /// <summary>"!sort": top-level aggregate elements as a multiset.</summary>
    Sorted,
    /// <summary>"!type": only the reply type (and an error's first word).</summary>
    Type,
    /// <summary>"!noreply": read the reply, compare nothing.</summary>
    NoReply,
}

/// <summary>One command line of a case.</summary>
public sealed record CaseCommand(int Line, string Text, CompareMode Mode, byte[][] Args);

/// <summary>One "###" case: a title and its commands.</summary>
public sealed record DifferentialCase(string File, int Index, int Line, string Title, IReadOnlyList<CaseCommand> Commands);

public static class CaseFile
{
    /// <summary>Directory the case files are copied to next to the test assembly.</summary>
    public static string CasesDirectory => Path.Combine(AppContext.BaseDirectory, "Cases");

    public static IEnumerable<string> AllFiles() =>
        Directory.Exists(CasesDirectory)
            ? Directory.GetFiles(CasesDirectory, "*.redis").OrderBy(f => f, StringComparer.Ordinal)
            : [];

    /// <summary>Parses a case file; throws <see cref="FormatException"/> naming the line on bad syntax.</summary>
    public static List<DifferentialCase> Parse(string path)
    {
        string file = Path.GetFileName(path);
        var cases = new List<DifferentialCase>();
        string? title = null;
        int titleLine = 0;
        List<CaseCommand>? commands = null;
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = lines[i].TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.StartsWith("###", StringComparison.Ordinal))
            {
                if (title is not null) cases.Add(new DifferentialCase(file, cases.Count, titleLine, title, commands!));
                title = trimmed[3..].Trim();
                if (title.Length == 0) title = $"line {lineNo}";
                titleLine = lineNo;
                commands = new List<CaseCommand>();
                continue;
            }
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            if (commands is null) throw new FormatException($"{file}:{lineNo}: command before the first '### title' line");
            var mode = CompareMode.Exact;
            string text = trimmed;
            foreach (var (prefix, m) in new[] { ("!sort ", CompareMode.Sorted), ("!type ", CompareMode.Type), ("!noreply ", CompareMode.NoReply) })
            {
                if (text.StartsWith(prefix, StringComparison.Ordinal))
                {
                    mode = m;
                    text = text[prefix.Length..].TrimStart();
                    break;
                }
            }
            if (text.StartsWith('!')) throw new FormatException($"{file}:{lineNo}: unknown directive in '{line}'");
            var args = InlineSplitter.Split(Encoding.UTF8.GetBytes(text));
            if (args is null || args.Count == 0) throw new FormatException($"{file}:{lineNo}: unbalanced quotes or empty command in '{line}'");
            commands.Add(new CaseCommand(lineNo, text, mode, args.ToArray()));
        }
        if (title is not null) cases.Add(new DifferentialCase(file, cases.Count, titleLine, title, commands!));
        return cases;
    }
}
