using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Users.Core.Domain;
using Users.Core.Telemetry;
using Users.Core.UseCases;
using Users.Functions.Errors;
using Users.Functions.Http;
using Users.Functions.Settings;
using Outcome = Users.Core.Telemetry.UsersTelemetry.RegistrationOutcome;

namespace Users.Functions.Endpoints;

/// <summary><c>GET /users</c> and <c>POST /user</c>.</summary>
public static class UserEndpoints
{
    /// <summary>The endpoint names (admission control picks each request's pool by them).</summary>
    public const string ListName = "ListUsers";

    public const string CreateName = "CreateUser";

    /// <summary>What the endpoints need besides the use cases: their JSON, source-generated (no reflection, AOT-safe).</summary>
    public static IServiceCollection AddUserEndpoints(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, UsersJsonContext.Default))
            .AddSingleton<SharedUserList>();

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(string.Empty).WithTags("Users");

        // Parameters, request bodies and responses are documented in one place, ApiDocumentDetails.
        group.MapGet("/users", ListAsync)
            .WithName(ListName)
            .WithSummary("List users")
            .WithDescription("Every user in the table, streamed. With `limit`, at most that many and a `Link: <…>; rel=\"next\"` header while more remain; without it, a list larger than `LIST_MAX_RESPONSE_BYTES` (set on Lambda) also ends with such a header. "
                + "A page of `limit`, and a whole list known before its first byte (one Scan page, a snapshot, a list bounded in bytes), carry an `ETag`; a request whose `If-None-Match` names it is answered 304 without a body.");

        group.MapPost("/user", CreateAsync)
            .WithName(CreateName)
            .WithSummary("Register a user")
            .WithDescription("multipart/form-data with fields `name` and `email` and the file `avatar` (PNG, JPEG, GIF or WebP, recognised by content).")
            .DisableAntiforgery()
            .RequireRateLimiting(AdmissionControl.RegisterPolicy);

        return routes;
    }

    internal static async Task<Results<FileContentHttpResult, ValidationProblem, UserListResult>> ListAsync(
        HttpContext context, ListUsers listUsers, SharedUserList lists, IOptions<ApiOptions> options, string? limit, string? cursor,
        [FromHeader(Name = "If-None-Match")] string? ifNoneMatch, CancellationToken cancellationToken)
    {
        int? pageSize = null;
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1 || parsed > ListUsers.MaxLimit)
            {
                return Problems.Validation("limit", $"The limit must be a whole number from 1 to {ListUsers.MaxLimit}.");
            }

            pageSize = parsed;
        }

        if (cursor is not null && pageSize is null)
        {
            return Problems.Validation("cursor", "A cursor is only valid together with a limit.");
        }

        if (pageSize is null)
        {
            // Every user: streamed page by page (UserListResult), from a Scan pass shared with the other lists (SharedUserList).
            return new UserListResult(lists, listUsers, options.Value, ifNoneMatch);
        }

        UserPage page;
        try
        {
            using var deadline = Deadline(options.Value, cancellationToken);
            page = await listUsers.HandleAsync(pageSize, cursor, deadline.Token);
        }
        catch (InvalidCursorException)
        {
            return Problems.Validation("cursor", "The cursor is not valid: use the Link header of a previous page.");
        }

        string? link = null;
        if (page.NextCursor is not null)
        {
            var next = $"{context.Request.PathBase}{context.Request.Path}?limit={pageSize}&cursor={Uri.EscapeDataString(page.NextCursor)}";
            link = $"<{next}>; rel=\"next\"";
            context.Response.Headers.Link = link;
        }

        // Serialized first, to tag it: the file result answers a matching If-None-Match with 304 (RFC 9110's rules).
        var body = lists.Serializer.SerializeArray(page.Users);
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Bytes(body, "application/json; charset=utf-8", entityTag: EntityTagHeaderValue.Parse(EntityTags.Of(body, link)));
    }

    internal static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, CreateUser createUser, SharedUserList lists, IOptions<ApiOptions> options, IOptions<AdmissionOptions> admission,
        AdmissionLimiters pools, CancellationToken cancellationToken)
    {
        try
        {
            var (response, outcome) = await RegisterAsync(request, createUser, options.Value, admission.Value, pools, cancellationToken);
            UsersTelemetry.RecordRegistration(outcome);
            if (outcome == Outcome.Created)
            {
                lists.Invalidate(); // this instance's next list includes the new user, snapshot or not
            }

            return response;
        }
        catch (Exception ex) when (ex is StorageUnavailableException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            UsersTelemetry.RecordRegistration(UsersTelemetry.RegistrationOutcome.Unavailable);
            throw;
        }
    }

    /// <summary>The registration and its outcome for the <c>users.registrations</c> counter.</summary>
    private static async Task<(Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult> Response, string Outcome)> RegisterAsync(
        HttpRequest request, CreateUser createUser, ApiOptions options, AdmissionOptions admission, AdmissionLimiters pools, CancellationToken cancellationToken)
    {
        // The form arrives under the upload pool's slot (AdmissionControl) and one overall deadline.
        var form = await MultipartUserForm.ReadAsync(request, options.AvatarMaxBytes, admission.FormReadTimeout, cancellationToken);
        switch (form)
        {
            case FormReadResult.TimedOut timedOut:
                // The rest of the body is not waited for: the connection closes after the answer.
                request.HttpContext.Response.Headers.Connection = "close";
                return (Problems.Status(StatusCodes.Status408RequestTimeout, $"The form did not arrive within {timedOut.Deadline.TotalSeconds:0.#} s ({SettingsReader.FormReadTimeout})."), Outcome.TimedOut);
            case FormReadResult.NotMultipart:
                return (Problems.Status(StatusCodes.Status415UnsupportedMediaType, "Send multipart/form-data with the fields 'name' and 'email' and the file 'avatar'."), Outcome.UnsupportedMedia);
            case FormReadResult.Malformed malformed:
                return (Problems.Status(StatusCodes.Status400BadRequest, malformed.Detail), Outcome.Invalid);
            case FormReadResult.AvatarTooLarge tooLarge:
                return (Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The avatar must be at most {tooLarge.MaxBytes} bytes."), Outcome.TooLarge);
            case FormReadResult.InvalidFields invalid:
                return (TypedResults.ValidationProblem(invalid.Errors, detail: Problems.ValidationDetail), Outcome.Invalid);
        }

        var fields = (FormReadResult.Read)form;

        // Only now the storage pool: a slow upload never holds a slot GET /users needs, nor lengthens the latency the
        // adaptive limit measures.
        using var lease = pools.Storage is { } storage ? await storage.AcquireAsync(1, cancellationToken) : null;
        if (lease is { IsAcquired: false })
        {
            pools.RecordShed(AdmissionLimiters.StoragePool, lease);
            request.HttpContext.Response.Headers.RetryAfter = AdmissionControl.OverloadRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return (Problems.Status(StatusCodes.Status503ServiceUnavailable, AdmissionControl.OverloadedDetail), Outcome.Unavailable);
        }

        CreateUserResult result;
        using (var deadline = Deadline(options, cancellationToken))
        {
            result = await createUser.HandleAsync(new CreateUserCommand(fields.Name, fields.Email, fields.Avatar), deadline.Token);
        }

        return result switch
        {
            CreateUserResult.Created created => (TypedResults.Created((string?)null, UserResponse.From(created.User)), Outcome.Created),
            CreateUserResult.Invalid invalid => (TypedResults.ValidationProblem(invalid.Errors, detail: Problems.ValidationDetail), Outcome.Invalid),
            CreateUserResult.UnsupportedAvatar unsupported => (Problems.Status(
                StatusCodes.Status415UnsupportedMediaType,
                unsupported.Detail ?? $"The avatar must be a {string.Join(", ", AvatarFormat.All.Select(f => f.Name))} image."), Outcome.UnsupportedMedia),
            CreateUserResult.AlreadyExists exists => (Problems.Status(StatusCodes.Status409Conflict, $"A user with the email '{exists.Email}' already exists."), Outcome.Duplicate),
            _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}."),
        };
    }

    /// <summary>
    /// Bounds the storage work of one request (reading the body is bounded by the server's own rate limits):
    /// past it the work is cancelled and the exception handler answers 503.
    /// </summary>
    private static CancellationTokenSource Deadline(ApiOptions options, CancellationToken requestAborted)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        deadline.CancelAfter(options.RequestTimeout);
        return deadline;
    }
}
