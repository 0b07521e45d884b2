namespace Users.Lambda.Hosting.Runtime;

/// <summary>
/// Posts a failure before the first invocation was asked for (invalid settings, DI, a hosted service that cannot
/// start) to <c>/runtime/init/error</c>. The app's Program says when (<see cref="LambdaHostingExtensions.ReportInitError"/>
/// from its catch), so nothing here watches exceptions or the process's exit.
/// </summary>
internal static class InitErrorReporter
{
    /// <summary>
    /// Generous: a cold process on a busy host can take seconds to build its first HTTP client and connect (2 s was
    /// seen to expire under load), and Lambda's init phase allows 10 s.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static int reported;

    /// <summary>The first failure only: one init error per execution environment.</summary>
    public static bool ReportOnce(string runtimeApi, Exception exception) =>
        Interlocked.Exchange(ref reported, 1) == 0 && Report(runtimeApi, exception, Timeout);

    /// <summary>Posts the init error; never throws (the process is going down anyway).</summary>
    public static bool Report(string runtimeApi, Exception exception, TimeSpan timeout)
    {
        try
        {
            using var client = new RuntimeApiClient(runtimeApi);
            using var cts = new CancellationTokenSource(timeout);
            Task.Run(() => client.PostInitErrorAsync(LambdaError.FromException(exception), cts.Token)).GetAwaiter().GetResult();
            Console.Error.WriteLine($"Init error reported to the Runtime API: {exception.GetType().Name}: {exception.Message}");
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            Console.Error.WriteLine($"Could not report the init error ({ex.Message}): {exception.GetType().Name}: {exception.Message}");
            return false;
        }
    }
}
