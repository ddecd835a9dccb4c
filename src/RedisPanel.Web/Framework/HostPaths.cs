namespace RedisPanel.Web.Framework;

/// <summary>
/// Finds the content root: the nearest folder, from the binaries upwards, that holds appsettings.json and wwwroot/.
/// In a build or test run that is the repository root (the one copy of the settings, edited in place); in a
/// publish it is the publish folder (the csproj copies both there).
/// </summary>
internal static class HostPaths
{
    public static string FindContentRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
                    return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
