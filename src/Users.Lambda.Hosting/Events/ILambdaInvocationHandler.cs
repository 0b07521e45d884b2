namespace Users.Lambda.Hosting.Events;

/// <summary>
/// What a function that is not an HTTP API does with an invocation (a scheduled EventBridge event, a direct
/// <c>aws lambda invoke</c>): the event's JSON as it came in, the response's JSON as it goes back. The adapter runs the
/// Runtime API loop and knows nothing of what the handler does; an exception becomes the invocation's error.
/// </summary>
public interface ILambdaInvocationHandler
{
    /// <param name="invocation">The event and what Lambda says of the invocation.</param>
    /// <param name="cancellationToken">Cancelled shortly before the invocation's deadline, or when the function stops.</param>
    /// <returns>The response payload (JSON).</returns>
    Task<byte[]> HandleAsync(LambdaEvent invocation, CancellationToken cancellationToken);
}

/// <summary>One invocation of an <see cref="ILambdaInvocationHandler"/>: its event and what Lambda says of it.</summary>
/// <param name="Payload">The event, as the Runtime API handed it over (JSON).</param>
/// <param name="RequestId">Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Deadline">When Lambda stops the invocation, if it said.</param>
/// <param name="FunctionArn">The invoked function's ARN, if Lambda said.</param>
public sealed record LambdaEvent(ReadOnlyMemory<byte> Payload, string RequestId, DateTimeOffset? Deadline, string? FunctionArn);
