// Memory for the node's socket pipes: pinned blocks in two sizes, reused across connections.
using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace RedisPanel.Node.Transport;

/// <summary>
/// A <see cref="MemoryPool{T}"/> of pinned byte blocks of two sizes: <see cref="SmallBlockSize"/> for requests of
/// at most that many bytes, <see cref="LargeBlockSize"/> for anything bigger (the pipe never asks for more than
/// <see cref="MaxBufferSize"/> from a pool). Small blocks keep an idle connection cheap (it holds one posted receive
/// buffer); large blocks let one recv take a whole pipelined batch of big values, as Redis reads 16 KB
/// (PROTO_IOBUF_LEN) and more at a time. Blocks live in the pinned object heap, so the GC never moves or copies
/// them and the socket layer needs no pin handle.
/// Thread-safe: rented and returned from any thread. At most <see cref="RetainedSmall"/> / <see cref="RetainedLarge"/>
/// free blocks are kept; the rest are left to the GC. The caps are small because a kept block is never moved: the
/// pinned heap cannot compact around it, so a burst (a client's pipelined input before input was bounded, a slow
/// reader's replies) used to leave up to 32 MB of kept blocks and more of fragmentation in every process. Input is
/// now bounded per connection (<see cref="BoundedInputReader"/>), so a few blocks per busy connection suffice.
/// </summary>
public sealed class PinnedBlockPool : MemoryPool<byte>
{
    public const int SmallBlockSize = 4 * 1024;
    public const int LargeBlockSize = 32 * 1024;
    private const int RetainedSmall = 256; // 1 MB
    private const int RetainedLarge = 32;  // 1 MB

    private readonly ConcurrentQueue<Block> _small = new();
    private readonly ConcurrentQueue<Block> _large = new();
    private bool _disposed;

    public override int MaxBufferSize => LargeBlockSize;

    /// <summary>Rents a block of at least <paramref name="minBufferSize"/> bytes (-1: a small block).</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > LargeBlockSize) throw new ArgumentOutOfRangeException(nameof(minBufferSize));
        bool large = minBufferSize > SmallBlockSize;
        var queue = large ? _large : _small;
        if (queue.TryDequeue(out var block)) return block;
        return new Block(this, large ? LargeBlockSize : SmallBlockSize);
    }

    private void Return(Block block)
    {
        if (Volatile.Read(ref _disposed)) return;
        bool large = block.Length == LargeBlockSize;
        var queue = large ? _large : _small;
        // Count is O(1) for ConcurrentQueue; a slightly racy cap is fine.
        if (queue.Count < (large ? RetainedLarge : RetainedSmall)) queue.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        Volatile.Write(ref _disposed, true);
        _small.Clear();
        _large.Clear();
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly PinnedBlockPool _pool;

        public Block(PinnedBlockPool pool, int size)
        {
            _pool = pool;
            var array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
            Memory = MemoryMarshal.CreateFromPinnedArray(array, 0, size);
        }

        public Memory<byte> Memory { get; }

        public int Length => Memory.Length;

        /// <summary>Gives the block back to its pool (the pipe calls this once, when the segment is consumed).</summary>
        public void Dispose() => _pool.Return(this);
    }
}
