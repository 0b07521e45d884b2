using Microsoft.AspNetCore.Http.HttpResults;

namespace Users.Functions.Errors;

/// <summary>RFC 9457 problem details: one place for titles, type URIs and details.</summary>
public static class Problems
{
    public const string ValidationDetail = "One or more fields are invalid; see 'errors'.";

    /// <summary>Seconds a client should wait before retrying after a 503.</summary>
    public const int RetryAfterSeconds = 5;

    private static readonly Dictionary<int, (string Title, string Type, string Detail)> Known = new()
    {
        [400] = ("Bad Request", "https://tools.ietf.org/html/rfc9110#section-15.5.1", "The request is not valid."),
        [404] = ("Not Found", "https://tools.ietf.org/html/rfc9110#section-15.5.5", "No resource at this path. The API serves GET /users and POST /user."),
        [405] = ("Method Not Allowed", "https://tools.ietf.org/html/rfc9110#section-15.5.6", "This path does not accept this method."),
        [408] = ("Request Timeout", "https://tools.ietf.org/html/rfc9110#section-15.5.9", "The request body did not arrive in time."),
        [409] = ("Conflict", "https://tools.ietf.org/html/rfc9110#section-15.5.10", "The request conflicts with the current state."),
        [413] = ("Content Too Large", "https://tools.ietf.org/html/rfc9110#section-15.5.14", "The request body is too large."),
        [415] = ("Unsupported Media Type", "https://tools.ietf.org/html/rfc9110#section-15.5.16", "The request's media type is not supported."),
        [429] = ("Too Many Requests", "https://tools.ietf.org/html/rfc6585#section-4", "Too many requests; retry later."),
        [500] = ("Internal Server Error", "https://tools.ietf.org/html/rfc9110#section-15.6.1", "An unexpected error occurred."),
        [503] = ("Service Unavailable", "https://tools.ietf.org/html/rfc9110#section-15.6.4", "A storage dependency is unavailable; retry later."),
    };

    public static ProblemHttpResult Status(int status, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(status), type: TypeFor(status));

    public static ValidationProblem Validation(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: ValidationDetail);

    /// <summary>Fills what a problem lacks (type, title, detail) from its status, so every error has all four members.</summary>
    public static void Complete(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Status = status;
        if (Known.TryGetValue(status, out var known))
        {
            problem.Type ??= known.Type;
            problem.Title ??= known.Title;
            problem.Detail ??= known.Detail;
        }
        else
        {
            problem.Type ??= "about:blank";
            problem.Title ??= ReasonPhrase(status);
            problem.Detail ??= ReasonPhrase(status);
        }
    }

    private static string TitleFor(int status) => Known.TryGetValue(status, out var known) ? known.Title : ReasonPhrase(status);

    private static string? TypeFor(int status) => Known.TryGetValue(status, out var known) ? known.Type : null;

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : $"HTTP {status}";
}
