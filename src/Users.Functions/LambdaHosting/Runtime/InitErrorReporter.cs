namespace Users.Functions.LambdaHosting.Runtime;

/// <summary>
/// A failure before the first invocation was asked for (configuration, DI, a hosted service that cannot start)
/// escapes Program.Main: it is reported to <c>/runtime/init/error</c> before the process exits.
/// </summary>
internal static class InitErrorReporter
{
    private static int installed;

    public static void Install(LambdaRuntimeSettings settings)
    {
        if (Interlocked.Exchange(ref installed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (!LambdaInvocationContext.LoopStarted && e.ExceptionObject is Exception exception)
            {
                Report(settings.RuntimeApi, exception, TimeSpan.FromSeconds(2));
            }
        };
    }

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
            Console.Error.WriteLine($"Could not report the init error ({ex.Message}): {exception}");
            return false;
        }
    }
}
