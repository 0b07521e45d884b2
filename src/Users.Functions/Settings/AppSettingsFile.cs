using Microsoft.Extensions.Configuration.Json;

namespace Users.Functions.Settings;

/// <summary>
/// The <c>appsettings.json</c> shipped beside the app. The host looks for it in the content root, which is the
/// working directory: started from anywhere else (<c>make run</c> starts <c>.local/api/Users.Functions.dll</c> from the
/// repository root, so does <c>dotnet path/to/Users.Functions.dll</c>) it would silently lose the shipped defaults,
/// such as the framework's per-request log lines at Warning. Added with the lowest precedence, so the content
/// root's file, the environment and the command line still override it.
/// </summary>
internal static class AppSettingsFile
{
    public const string FileName = "appsettings.json";

    public static void AddBesideTheApp(IConfigurationBuilder configuration, string contentRootPath, string appDirectory)
    {
        var beside = Path.GetFullPath(Path.Combine(appDirectory, FileName));
        var inContentRoot = Path.GetFullPath(Path.Combine(contentRootPath, FileName));
        if (string.Equals(beside, inContentRoot, StringComparison.Ordinal) || !File.Exists(beside))
        {
            return;
        }

        var source = new JsonConfigurationSource { Path = beside, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
    }
}
