namespace Users.LambdaEmulator;

/// <summary>How an invocation ended, as the Lambda service would see it.</summary>
public enum InvocationStatus
{
    /// <summary>The function posted a response.</summary>
    Success,

    /// <summary>The function posted to /error.</summary>
    FunctionError,

    /// <summary>The function reported an init error (/init/error).</summary>
    InitError,

    /// <summary>No outcome before the deadline.</summary>
    Timeout,

    /// <summary>The function process exited during the invocation.</summary>
    ProcessExited,
}

/// <summary>The outcome of one invocation: the payload posted by the function, or the error.</summary>
public sealed record InvocationResult(InvocationStatus Status, byte[] Body, string? ErrorType, string? ContentType)
{
    /// <summary>The Lambda-Runtime-Aws-Request-Id of the invocation.</summary>
    public string? RequestId { get; init; }

    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>An error reported to /runtime/init/error.</summary>
public sealed record InitErrorReport(string? ErrorType, string? ContentType, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
