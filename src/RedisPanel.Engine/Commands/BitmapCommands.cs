// Bitmap family (Redis's "bitmap" group).
namespace RedisPanel.Engine.Commands;

public static class BitmapCommands
{
    public static void Register(CommandTable t)
    {
    }
}
