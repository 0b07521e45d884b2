using Microsoft.Net.Http.Headers;

namespace Users.Lambda.Hosting.Marshalling;

internal static class RequestHeaders
{
    /// <summary>The body arrives whole: describe it by its real length, and keep the scheme the client used.</summary>
    public static void Normalise(LambdaHttpRequest request)
    {
        request.Headers.Remove(HeaderNames.TransferEncoding);
        if (request.Body.Length > 0 || request.Headers.ContainsKey(HeaderNames.ContentLength))
        {
            request.Headers.ContentLength = request.Body.Length;
        }

        if (!request.Headers.ContainsKey(HeaderNames.Host))
        {
            request.Headers.Host = "localhost";
        }

        var proto = request.Headers["X-Forwarded-Proto"].ToString();
        if (proto is "http" or "https")
        {
            request.Scheme = proto;
        }
    }
}
