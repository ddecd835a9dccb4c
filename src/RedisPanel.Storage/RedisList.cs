// A Redis list: a growable ring buffer (deque) of byte[] elements. Both ends push and pop in O(1), indexing
// is O(1), middle inserts/removes shift the shorter side. Redis 7.0 always encodes lists as "quicklist"
// (the list listpack encoding arrived in 7.2), so OBJECT ENCODING reports that regardless of size.
namespace RedisPanel.Storage;

public sealed class RedisList : RedisCollection
{
    private static readonly byte[][] Empty = [];
    private byte[][] _items;
    private int _head;
    private int _count;

    public RedisList() => _items = Empty;

    public RedisList(int capacity) => _items = capacity == 0 ? Empty : new byte[capacity][];

    public override string TypeName => "list";

    /// <summary>Always "quicklist", as in Redis 7.0.</summary>
    public override string Encoding => "quicklist";

    public override long Count => _count;

    public int Length => _count;

    /// <summary>Element at <paramref name="index"/> (0 = head). The caller checks the range.</summary>
    public byte[] this[int index]
    {
        get => _items[Slot(index)];
        set => _items[Slot(index)] = value;
    }

    /// <summary>Resolves a Redis index (negative counts from the tail) to 0-based, or -1 when out of range.</summary>
    public int ResolveIndex(long index)
    {
        if (index < 0) index += _count;
        return index < 0 || index >= _count ? -1 : (int)index;
    }

    private int Slot(int index)
    {
        int s = _head + index;
        return s >= _items.Length ? s - _items.Length : s;
    }

    private void Grow()
    {
        int capacity = _items.Length == 0 ? 4 : _items.Length * 2;
        var items = new byte[capacity][];
        CopyTo(items);
        _items = items;
        _head = 0;
    }

    private void CopyTo(byte[][] target)
    {
        int first = Math.Min(_count, _items.Length - _head);
        Array.Copy(_items, _head, target, 0, first);
        if (first < _count) Array.Copy(_items, 0, target, first, _count - first);
    }

    public void PushHead(byte[] value)
    {
        if (_count == _items.Length) Grow();
        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = value;
        _count++;
    }

    public void PushTail(byte[] value)
    {
        if (_count == _items.Length) Grow();
        _items[Slot(_count)] = value;
        _count++;
    }

    public void Push(byte[] value, bool head)
    {
        if (head) PushHead(value);
        else PushTail(value);
    }

    public byte[] PopHead()
    {
        var v = _items[_head];
        _items[_head] = null!;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        ShrinkIfSparse();
        return v;
    }

    public byte[] PopTail()
    {
        int s = Slot(_count - 1);
        var v = _items[s];
        _items[s] = null!;
        _count--;
        ShrinkIfSparse();
        return v;
    }

    public byte[] Pop(bool head) => head ? PopHead() : PopTail();

    /// <summary>Inserts <paramref name="value"/> so that it ends up at <paramref name="index"/> (0..Length).</summary>
    public void InsertAt(int index, byte[] value)
    {
        if (index == 0) { PushHead(value); return; }
        if (index == _count) { PushTail(value); return; }
        if (_count == _items.Length) Grow();
        // Shift the tail side right by one (simple and correct for a ring).
        for (int i = _count; i > index; i--) _items[Slot(i)] = _items[Slot(i - 1)];
        _items[Slot(index)] = value;
        _count++;
    }

    /// <summary>Removes <paramref name="count"/> elements starting at 0-based <paramref name="start"/>.</summary>
    public void RemoveRange(int start, int count)
    {
        if (count <= 0) return;
        if (start == 0)
        {
            for (int i = 0; i < count; i++) _items[Slot(i)] = null!;
            _head = Slot(count);
            _count -= count;
        }
        else
        {
            for (int i = start + count; i < _count; i++) _items[Slot(i - count)] = _items[Slot(i)];
            for (int i = _count - count; i < _count; i++) _items[Slot(i)] = null!;
            _count -= count;
        }
        if (_count == 0) _head = 0;
        ShrinkIfSparse();
    }

    public void RemoveAt(int index) => RemoveRange(index, 1);

    private void ShrinkIfSparse()
    {
        // Give memory back after a big list was mostly popped (quicklist frees nodes as they empty).
        if (_items.Length > 64 && _count * 4 < _items.Length)
        {
            var items = new byte[Math.Max(4, _items.Length / 2)][];
            CopyTo(items);
            _items = items;
            _head = 0;
        }
    }

    public override RedisCollection DeepClone()
    {
        // Elements are immutable byte[] (never written in place), so sharing them is a deep copy in effect.
        var copy = new RedisList(_count);
        CopyTo(copy._items);
        copy._count = _count;
        return copy;
    }

    public override long EstimateBytes()
    {
        long n = 48 + 8L * _items.Length;
        for (int i = 0; i < _count; i++) n += 24 + _items[Slot(i)].Length;
        return n;
    }
}
