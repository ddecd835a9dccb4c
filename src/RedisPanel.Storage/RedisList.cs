// A Redis list: a growable ring buffer (deque) of byte[] elements. Both ends push and pop in O(1), indexing
// is O(1), middle inserts/removes shift the shorter side. Redis 7.0 always encodes lists as "quicklist"
// (the list listpack encoding arrived in 7.2), so OBJECT ENCODING reports that regardless of size.
// A small list (at most PackedMaxEntries elements of at most PackedMaxValue bytes) is one packed byte[] of
// length-prefixed elements instead, as a quicklist node's listpack is: 3 short elements cost one 32 B array instead
// of a 56 B slot array and three 32 B element arrays. A packed array is never written in place (each push or pop
// makes a new exact-size one), so a copy (COPY, snapshots) shares it. Reads copy an element out; anything but a
// push, a pop or a read (LSET, LINSERT, LREM, LTRIM ...) or growing past the bounds turns it into the deque for good.
namespace RedisPanel.Storage;

public sealed class RedisList : RedisCollection
{
    private const int PackedMaxEntries = 16;
    private const int PackedMaxValue = 64; // one length byte per element

    private static readonly byte[][] Empty = [];
    private byte[][] _items;
    private byte[]? _packed;    // packed form: [len][element]..., _count elements; null once a deque
    private int _head;
    private int _count;

    public RedisList()
    {
        _items = Empty;
        _packed = [];
    }

    public RedisList(int capacity)
    {
        _items = Empty;
        if (capacity <= PackedMaxEntries) _packed = [];
        else _items = new byte[capacity][];
    }

    public override string TypeName => "list";

    /// <summary>Always "quicklist", as in Redis 7.0.</summary>
    public override string Encoding => "quicklist";

    public override long Count => _count;

    public int Length => _count;

    /// <summary>Element at <paramref name="index"/> (0 = head). The caller checks the range.</summary>
    public byte[] this[int index]
    {
        get
        {
            if (_packed is null) return _items[Slot(index)];
            int pos = PackedOffset(_packed, index);
            return _packed.AsSpan(pos + 1, _packed[pos]).ToArray();
        }
        set
        {
            Unpack();
            _items[Slot(index)] = value;
        }
    }

    /// <summary>
    /// Allocation-free walk from head to tail (the RDB writer's): the element at <paramref name="cursor"/> (start at
    /// 0; an index in the deque, a byte offset in the packed form), advancing it; false at the end.
    /// </summary>
    public bool Next(ref int cursor, out ReadOnlySpan<byte> element)
    {
        if (_packed is not null)
        {
            if (cursor >= _packed.Length)
            {
                element = default;
                return false;
            }
            element = _packed.AsSpan(cursor + 1, _packed[cursor]);
            cursor += 1 + _packed[cursor];
            return true;
        }
        if (cursor >= _count)
        {
            element = default;
            return false;
        }
        element = _items[Slot(cursor++)];
        return true;
    }

    /// <summary>Where element <paramref name="index"/>'s run starts in a packed array.</summary>
    private static int PackedOffset(byte[] packed, int index)
    {
        int pos = 0;
        for (int i = 0; i < index; i++) pos += 1 + packed[pos];
        return pos;
    }

    private bool FitsPacked(byte[] value) => _count < PackedMaxEntries && value.Length <= PackedMaxValue;

    /// <summary>A new packed array with <paramref name="value"/> inserted at byte offset <paramref name="at"/>.</summary>
    private void PackedInsert(int at, byte[] value)
    {
        var old = _packed!;
        var grown = new byte[old.Length + 1 + value.Length];
        old.AsSpan(0, at).CopyTo(grown);
        grown[at] = (byte)value.Length;
        value.CopyTo(grown, at + 1);
        old.AsSpan(at).CopyTo(grown.AsSpan(at + 1 + value.Length));
        _packed = grown;
        _count++;
    }

    /// <summary>Removes the run at byte offset <paramref name="at"/> from the packed form and returns its element.</summary>
    private byte[] PackedRemove(int at)
    {
        var old = _packed!;
        int len = old[at];
        var value = old.AsSpan(at + 1, len).ToArray();
        var shrunk = new byte[old.Length - 1 - len];
        old.AsSpan(0, at).CopyTo(shrunk);
        old.AsSpan(at + 1 + len).CopyTo(shrunk.AsSpan(at));
        _packed = shrunk;
        _count--;
        return value;
    }

    /// <summary>Leaves the packed form for the deque, for good.</summary>
    private void Unpack()
    {
        var packed = _packed;
        if (packed is null) return;
        var items = new byte[Math.Max(4, _count)][];
        int pos = 0;
        for (int i = 0; i < _count; i++)
        {
            int len = packed[pos];
            items[i] = packed.AsSpan(pos + 1, len).ToArray();
            pos += 1 + len;
        }
        _items = items;
        _head = 0;
        _packed = null;
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
        if (_packed is not null)
        {
            if (FitsPacked(value))
            {
                PackedInsert(0, value);
                return;
            }
            Unpack();
        }
        if (_count == _items.Length) Grow();
        _head = _head == 0 ? _items.Length - 1 : _head - 1;
        _items[_head] = value;
        _count++;
    }

    public void PushTail(byte[] value)
    {
        if (_packed is not null)
        {
            if (FitsPacked(value))
            {
                PackedInsert(_packed.Length, value);
                return;
            }
            Unpack();
        }
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
        if (_packed is not null) return PackedRemove(0);
        var v = _items[_head];
        _items[_head] = null!;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        ShrinkIfSparse();
        return v;
    }

    public byte[] PopTail()
    {
        if (_packed is not null) return PackedRemove(PackedOffset(_packed, _count - 1));
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
        Unpack();
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
        Unpack();
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
        if (_packed is not null) return new RedisList { _packed = _packed, _count = _count }; // never written in place
        // Elements are immutable byte[] (never written in place), so sharing them is a deep copy in effect.
        var copy = new RedisList { _packed = null, _items = _count == 0 ? Empty : new byte[_count][] };
        CopyTo(copy._items);
        copy._count = _count;
        return copy;
    }

    public override long EstimateBytes()
    {
        if (_packed is not null) return 48 + 24 + _packed.Length;
        long n = 48 + 8L * _items.Length;
        for (int i = 0; i < _count; i++) n += 24 + _items[Slot(i)].Length;
        return n;
    }
}
