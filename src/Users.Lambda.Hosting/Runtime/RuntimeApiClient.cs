using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Users.Lambda.Hosting.Runtime;

/// <summary>A client of the Lambda Runtime API (version 2018-06-01).</summary>
internal sealed class RuntimeApiClient : IDisposable
{
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";
    public const string ErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";

    private readonly HttpClient http;

    public RuntimeApiClient(string runtimeApi, HttpMessageHandler? handler = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeApi);
        http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false }, disposeHandler: true)
        {
            BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/"),
            // `next` blocks until an invocation arrives, which can take any time.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<LambdaInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("runtime/invocation/next", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        var requestId = Header(response, "Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("The Runtime API returned an invocation without Lambda-Runtime-Aws-Request-Id.");
        DateTimeOffset? deadline = long.TryParse(Header(response, "Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new LambdaInvocation(
            requestId,
            deadline,
            Header(response, "Lambda-Runtime-Invoked-Function-Arn"),
            Header(response, "Lambda-Runtime-Trace-Id"),
            payload);
    }

    public async Task PostResponseAsync(string requestId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(InvocationUri(requestId, "response"), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task PostErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken)
    {
        using var request = ErrorRequest(InvocationUri(requestId, "error"), error);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task PostInitErrorAsync(LambdaError error, CancellationToken cancellationToken)
    {
        using var request = ErrorRequest(new Uri("runtime/init/error", UriKind.Relative), error);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();

    public static byte[] SerializeError(LambdaError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", error.ErrorMessage);
            json.WriteString("errorType", error.ErrorType);
            json.WriteStartArray("stackTrace");
            foreach (var line in error.StackTrace)
            {
                json.WriteStringValue(line);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static HttpRequestMessage ErrorRequest(Uri uri, LambdaError error)
    {
        var content = new ByteArrayContent(SerializeError(error));
        content.Headers.ContentType = new MediaTypeHeaderValue(ErrorContentType);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.TryAddWithoutValidation(ErrorTypeHeader, error.ErrorType);
        return request;
    }

    private static Uri InvocationUri(string requestId, string action) =>
        new($"runtime/invocation/{Uri.EscapeDataString(requestId)}/{action}", UriKind.Relative);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
