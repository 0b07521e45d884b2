namespace Users.Lambda.Hosting.Runtime;

/// <summary>One invocation handed out by <c>GET /runtime/invocation/next</c>.</summary>
internal sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset? Deadline,
    string? FunctionArn,
    string? TraceId,
    ReadOnlyMemory<byte> Payload);

/// <summary>The body of <c>/error</c> and <c>/init/error</c>: <c>{errorMessage, errorType, stackTrace}</c>.</summary>
internal sealed record LambdaError(string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace)
{
    public static LambdaError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var trace = (exception.StackTrace ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new LambdaError(exception.GetType().Name, exception.Message, trace);
    }
}
