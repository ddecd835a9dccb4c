namespace RedisPanel.Web.Components.Panels;

/// <summary>
/// The console's command history, walked with Up/Down like redis-cli's (linenoise): Up goes to older lines, Down back
/// towards the line being typed, which is kept while browsing. Consecutive duplicates are stored once; bounded.
/// </summary>
public sealed class CommandHistory(int capacity = 200)
{
    private readonly List<string> _lines = new();
    private int _cursor; // == _lines.Count: at the line being typed
    private string _draft = "";

    public IReadOnlyList<string> Lines => _lines;

    public void Add(string line)
    {
        if (line.Length > 0 && (_lines.Count == 0 || _lines[^1] != line))
        {
            _lines.Add(line);
            if (_lines.Count > capacity) _lines.RemoveAt(0);
        }
        _cursor = _lines.Count;
        _draft = "";
    }

    /// <summary>The older line (Up), or <paramref name="current"/> when there is none.</summary>
    public string Previous(string current)
    {
        if (_cursor == _lines.Count) _draft = current;
        if (_cursor == 0) return current;
        return _lines[--_cursor];
    }

    /// <summary>The newer line (Down); past the newest, the line that was being typed.</summary>
    public string Next(string current)
    {
        if (_cursor >= _lines.Count) return current;
        _cursor++;
        return _cursor == _lines.Count ? _draft : _lines[_cursor];
    }
}
