namespace Users.Functions;

/// <summary>Host settings this service defaults differently from ASP.NET Core, passed as command-line arguments.</summary>
public static class HostArguments
{
    /// <summary>The host setting that makes <c>appsettings*.json</c> reload when the file changes.</summary>
    public const string ReloadConfigOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// <c>appsettings.json</c> is not watched: it ships inside the image or the Lambda package and never changes
    /// there, every setting is read and validated once at start, and the watch costs a file-system-watcher thread and
    /// ≈ 15 ms of every cold start (docs/lambda.md). Whoever wants it back sets
    /// <c>DOTNET_hostBuilder__reloadConfigOnChange=true</c> or passes <c>--hostBuilder:reloadConfigOnChange=true</c>.
    /// </summary>
    public static string[] WithDefaults(string[] args, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        environment ??= Environment.GetEnvironmentVariable;
        var asked = environment("DOTNET_hostBuilder__reloadConfigOnChange") is not null ||
            args.Any(a => a.Contains(ReloadConfigOnChange, StringComparison.OrdinalIgnoreCase));
        // First, so that anything on the command line still wins.
        return asked ? args : [$"--{ReloadConfigOnChange}=false", .. args];
    }
}
