using Microsoft.Net.Http.Headers;

namespace Users.Lambda.Hosting.Marshalling;

internal static class RequestHeaders
{
    /// <summary>The body arrives whole: describe it by its real length, keep the scheme the client used, make sure of a Host.</summary>
    public static void Normalise(LambdaHttpRequest request)
    {
        request.Headers.Remove(HeaderNames.TransferEncoding);
        // Always the real length, 0 for no body, as Kestrel reports a request whose body is known to be empty.
        request.Headers.ContentLength = request.Body.Length;

        // API Gateway sends Host, but not every emulator or test event does: the event's own domain name, then localhost.
        if (string.IsNullOrEmpty(request.Headers.Host))
        {
            request.Headers.Host = string.IsNullOrEmpty(request.DomainName) ? "localhost" : request.DomainName;
        }

        var proto = request.Headers["X-Forwarded-Proto"].ToString();
        if (proto is "http" or "https")
        {
            request.Scheme = proto;
        }
    }
}
