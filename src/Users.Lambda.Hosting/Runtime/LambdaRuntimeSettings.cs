using System.Globalization;

namespace Users.Lambda.Hosting.Runtime;

/// <summary>What the Lambda execution environment tells the function through its environment variables.</summary>
internal sealed record LambdaRuntimeSettings
{
    public const string RuntimeApiVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>host:port of the Runtime API (AWS_LAMBDA_RUNTIME_API).</summary>
    public required string RuntimeApi { get; init; }

    public string? FunctionName { get; init; }

    public string? FunctionVersion { get; init; }

    public int? FunctionMemorySize { get; init; }

    /// <summary>Time kept back from the invocation deadline so the response can still be posted.</summary>
    public TimeSpan DeadlineMargin { get; init; } = TimeSpan.FromMilliseconds(250);

    public static LambdaRuntimeSettings? FromEnvironment(Func<string, string?> read)
    {
        var api = read(RuntimeApiVariable);
        if (string.IsNullOrWhiteSpace(api))
        {
            return null;
        }

        return new LambdaRuntimeSettings
        {
            RuntimeApi = api.Trim(),
            FunctionName = read("AWS_LAMBDA_FUNCTION_NAME"),
            FunctionVersion = read("AWS_LAMBDA_FUNCTION_VERSION"),
            FunctionMemorySize = int.TryParse(read("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var mb) ? mb : null,
        };
    }
}
