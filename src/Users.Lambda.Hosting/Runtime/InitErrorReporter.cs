using Microsoft.Extensions.Options;

namespace Users.Lambda.Hosting.Runtime;

/// <summary>
/// A failure before the first invocation was asked for (invalid settings, DI, a hosted service that cannot start)
/// is reported to <c>/runtime/init/error</c> before the process exits, whether it escapes Program.Main (an unhandled
/// exception) or Program handles it and returns an exit code (the process exits without ever serving).
/// </summary>
internal static class InitErrorReporter
{
    private static int installed;
    private static int reported;
    private static Exception? startupFailure;

    public static void Install(LambdaRuntimeSettings settings)
    {
        if (Interlocked.Exchange(ref installed, 1) == 1)
        {
            return;
        }

        var domain = AppDomain.CurrentDomain;
        domain.FirstChanceException += (_, e) =>
        {
            // Remember why start-up is failing, in case Program handles the exception and returns an exit code.
            if (!LambdaInvocationContext.LoopStarted && e.Exception is OptionsValidationException)
            {
                startupFailure = e.Exception;
            }
        };
        domain.UnhandledException += (_, e) =>
        {
            if (!LambdaInvocationContext.LoopStarted && e.ExceptionObject is Exception exception)
            {
                ReportOnce(settings.RuntimeApi, exception);
            }
        };
        domain.ProcessExit += (_, _) =>
        {
            // A function that exits before asking for its first invocation has failed to initialise.
            if (!LambdaInvocationContext.LoopStarted)
            {
                ReportOnce(settings.RuntimeApi, startupFailure
                    ?? new InvalidOperationException($"The function exited during initialisation (exit code {Environment.ExitCode})."));
            }
        };
    }

    private static void ReportOnce(string runtimeApi, Exception exception)
    {
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            // Generous: a cold process on a busy host can take seconds to build its first HTTP client and connect
            // (2 s was seen to expire under load), and Lambda's init phase allows 10 s.
            Report(runtimeApi, exception, TimeSpan.FromSeconds(5));
        }
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
            Console.Error.WriteLine($"Could not report the init error ({ex.Message}): {exception.GetType().Name}: {exception.Message}");
            return false;
        }
    }
}
