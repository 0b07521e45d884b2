using Users.Lambda.Hosting.Runtime;

namespace Users.Lambda.Hosting.Server;

/// <summary>The Lambda invocation behind an HttpContext (request id, deadline, function ARN, trace id).</summary>
internal interface ILambdaInvocationFeature
{
    LambdaInvocation Invocation { get; }
}
