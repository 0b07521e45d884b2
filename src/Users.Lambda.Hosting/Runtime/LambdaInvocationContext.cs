namespace Users.Lambda.Hosting.Runtime;

/// <summary>
/// The invocation being served right now. A Lambda execution environment serves one invocation at a time,
/// so a process-wide value is exact, and every log entry (whatever thread writes it) can carry it.
/// </summary>
internal static class LambdaInvocationContext
{
    private static LambdaInvocation? current;
    private static int completedInvocations;

    public static LambdaInvocation? Current => Volatile.Read(ref current);

    /// <summary>True until the first invocation of this execution environment has completed.</summary>
    public static bool ColdStart => Volatile.Read(ref completedInvocations) == 0;

    /// <summary>Set once the first <c>next</c> call was made: from then on a failure is no longer an init error.</summary>
    public static bool LoopStarted { get; private set; }

    public static void MarkLoopStarted() => LoopStarted = true;

    public static void Begin(LambdaInvocation invocation)
    {
        Volatile.Write(ref current, invocation);
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
    }

    public static void End()
    {
        Volatile.Write(ref current, null);
        Interlocked.Increment(ref completedInvocations);
    }
}
