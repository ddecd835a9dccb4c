// Constants of Redis's RDB format (src/rdb.h), as documented in REDIS-REPLICATION.md §8.
namespace RedisPanel.Storage.Rdb;

/// <summary>RDB opcodes and value type bytes.</summary>
public static class RdbFormat
{
    /// <summary>The version Redis 7.0 writes (magic "REDIS0010").</summary>
    public const int Version = 10;

    /// <summary>The newest version the reader accepts (Redis 7.4 / 8.0 write 12).</summary>
    public const int MaxReadVersion = 12;

    public const byte OpSlotInfo = 244, OpFunction2 = 245, OpFunctionPreGa = 246, OpModuleAux = 247, OpIdle = 248,
        OpFreq = 249, OpAux = 250, OpResizeDb = 251, OpExpireTimeMs = 252, OpExpireTime = 253, OpSelectDb = 254, OpEof = 255;

    public const byte TypeString = 0, TypeList = 1, TypeSet = 2, TypeZset = 3, TypeHash = 4, TypeZset2 = 5,
        TypeModulePreGa = 6, TypeModule2 = 7, TypeHashZipmap = 9, TypeListZiplist = 10, TypeSetIntset = 11,
        TypeZsetZiplist = 12, TypeHashZiplist = 13, TypeListQuicklist = 14, TypeStreamListpacks = 15,
        TypeHashListpack = 16, TypeZsetListpack = 17, TypeListQuicklist2 = 18, TypeStreamListpacks2 = 19,
        TypeSetListpack = 20, TypeStreamListpacks3 = 21;

    /// <summary>Special string encodings (the low 6 bits of a 11xxxxxx length byte).</summary>
    public const int EncInt8 = 0, EncInt16 = 1, EncInt32 = 2, EncLzf = 3;

    /// <summary>Quicklist 2 node containers.</summary>
    public const int QuicklistNodePlain = 1, QuicklistNodePacked = 2;

    /// <summary>Module value opcodes (RDB_MODULE_OPCODE_*), used to skip module aux data generically.</summary>
    public const int ModuleOpEof = 0, ModuleOpSInt = 1, ModuleOpUInt = 2, ModuleOpFloat = 3, ModuleOpDouble = 4, ModuleOpString = 5;
}
