using Users.Functions.LambdaHosting.Runtime;

namespace Users.Functions.LambdaHosting.Server;

/// <summary>The Lambda invocation behind an HttpContext (request id, deadline, function ARN, trace id).</summary>
internal interface ILambdaInvocationFeature
{
    LambdaInvocation Invocation { get; }
}
