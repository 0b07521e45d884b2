using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Users.Core.Domain;
using Users.Core.UseCases;
using Users.Functions.Errors;
using Users.Functions.Http;
using Users.Functions.Settings;

namespace Users.Functions.Endpoints;

/// <summary>
/// What the endpoint metadata cannot say, written into the generated OpenAPI document from the same constants the code
/// enforces: every status each route answers (429 and 503 with <c>Retry-After</c>), the <c>Link</c> header of a page,
/// <c>limit</c> as an integer with its range, the form's fields with their limits (the avatar's from
/// <c>AVATAR_MAX_BYTES</c>), examples, and schema names that are the API's, not .NET's (<c>Problem</c>,
/// <c>ValidationProblem</c>, <c>User</c>, <c>NewUser</c>). <c>redocly lint</c> checks the result in <c>make test</c>.
/// </summary>
internal static class ApiDocumentDetails
{
    private const string ProblemJson = "application/problem+json";

    public static void Describe(OpenApiDocument document, ApiOptions options)
    {
        document.Info.Title = "Users API";
        document.Info.Description =
            "Users in DynamoDB, their avatars in S3. Errors are RFC 9457 problem details (`application/problem+json`). " +
            "There is no authentication in the service itself: put it in front (API Gateway authorizer, an ingress).";
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Tags = new HashSet<OpenApiTag> { new() { Name = "Users", Description = "Registering and listing users." } };
        document.Security = [];

        var schemas = document.Components!.Schemas!;
        schemas.Clear();
        schemas["User"] = UserSchema();
        schemas["NewUser"] = NewUserSchema(options.AvatarMaxBytes);
        schemas["Problem"] = ProblemSchema();
        schemas["ValidationProblem"] = ValidationProblemSchema();

        var list = document.Paths["/users"].Operations![HttpMethod.Get];
        list.Parameters = [LimitParameter(), CursorParameter(), IfNoneMatchParameter()];
        list.Responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = "The users (all of them, or one page with `limit`), each exactly `avatar_url`, `email` and `name`.",
                Headers = new Dictionary<string, IOpenApiHeader> { ["Link"] = LinkHeader(), ["ETag"] = ETagHeader() },
                Content = Json(new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference("User", document) },
                    new JsonArray(UserExample())),
            },
            ["304"] = new OpenApiResponse
            {
                Description = "The list is unchanged since the `ETag` that `If-None-Match` names: no body.",
                Headers = new Dictionary<string, IOpenApiHeader> { ["ETag"] = ETagHeader() },
            },
            ["400"] = Problem(document, "ValidationProblem", "`limit` is not a whole number from 1 to " +
                $"{ListUsers.MaxLimit}, or `cursor` is not one this API issued, or `cursor` came without `limit`.",
                ValidationExample("limit", $"The limit must be a whole number from 1 to {ListUsers.MaxLimit}.")),
            ["500"] = Problem(document, "Problem", "An unexpected error.", ProblemExample(500, "An unexpected error occurred.")),
            ["503"] = Unavailable(document),
        };

        var create = document.Paths["/user"].Operations![HttpMethod.Post];
        create.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One user: the fields `name` and `email` and the file `avatar`.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchemaReference("NewUser", document),
                    Encoding = new Dictionary<string, OpenApiEncoding>
                    {
                        ["avatar"] = new() { ContentType = string.Join(", ", AvatarFormat.All.Select(f => f.ContentType)) },
                    },
                },
            },
        };
        create.Responses = new OpenApiResponses
        {
            ["201"] = new OpenApiResponse
            {
                Description = "Registered: the user as stored, with the link to its avatar.",
                Content = Json(new OpenApiSchemaReference("User", document), UserExample()),
            },
            ["400"] = Problem(document, "ValidationProblem",
                "A field is missing or invalid (the name, the e-mail address, an empty avatar), or the form is malformed.",
                ValidationExample("email", "The email address is not valid.")),
            ["408"] = Problem(document, "Problem",
                "The whole form did not arrive within `FORM_READ_TIMEOUT_SECONDS` (3 s by default; a slow link sending a large " +
                "avatar may need more): the connection is closed, nothing was written.",
                ProblemExample(408, "The form did not arrive within 3 s (FORM_READ_TIMEOUT_SECONDS).")),
            ["409"] = Problem(document, "Problem", "A user with this e-mail address already exists.",
                ProblemExample(409, "A user with the email 'ada@example.com' already exists.")),
            ["413"] = Problem(document, "Problem", $"The avatar is larger than {options.AvatarMaxBytes} bytes (`AVATAR_MAX_BYTES`).",
                ProblemExample(413, $"The avatar must be at most {options.AvatarMaxBytes} bytes.")),
            ["415"] = Problem(document, "Problem",
                "The request is not multipart/form-data, or the avatar is not a complete " +
                $"{string.Join(", ", AvatarFormat.All.Select(f => f.Name))} image (recognised by content, not by name).",
                ProblemExample(415, $"The avatar must be a {string.Join(", ", AvatarFormat.All.Select(f => f.Name))} image.")),
            ["429"] = WithRetryAfter(Problem(document, "Problem",
                "This client (its address; an IPv6 client by /64) registered too often (`REGISTER_RATE_LIMIT_PER_MINUTE`, `REGISTER_RATE_LIMIT_BURST`): retry after `Retry-After` seconds.",
                ProblemExample(429, "Too many registrations from this address; retry later.")),
                "Seconds until this client's next registration is admitted."),
            ["500"] = Problem(document, "Problem", "An unexpected error.", ProblemExample(500, "An unexpected error occurred.")),
            ["503"] = Unavailable(document),
        };
    }

    private static OpenApiParameter LimitParameter() => new()
    {
        Name = "limit",
        In = ParameterLocation.Query,
        Description = $"At most this many users, and a `Link` header to the next page while more remain. Without it, every user in one response.",
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = "1",
            Maximum = ListUsers.MaxLimit.ToString(CultureInfo.InvariantCulture),
        },
        Example = JsonValue.Create(50),
    };

    private static OpenApiParameter CursorParameter() => new()
    {
        Name = "cursor",
        In = ParameterLocation.Query,
        Description = "Where the next page starts: copy it from the `Link` header of the previous page (opaque; only with `limit`).",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1 },
    };

    private static OpenApiParameter IfNoneMatchParameter() => new()
    {
        Name = "If-None-Match",
        In = ParameterLocation.Header,
        Description = "An `ETag` this API returned: 304 without a body while the list (or page) is unchanged.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    /// <summary>A page of <c>limit</c>, and a whole list known before its first byte (one Scan page, a snapshot, a list bounded in bytes), carry one.</summary>
    private static OpenApiHeader ETagHeader() => new()
    {
        Description = "The list's entity tag (on a page of `limit`, and on a whole list known before its first byte): send it back " +
            "as `If-None-Match` to get 304 while the list is unchanged.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create("\"Xq3Lh0cQ2V8kYb1tRzN4wA\""),
    };

    private static OpenApiHeader LinkHeader() => new()
    {
        Description = "`<…?limit=N&cursor=…>; rel=\"next\"` (RFC 8288) while more users remain: a page of `limit`, or a list " +
            "cut at `LIST_MAX_RESPONSE_BYTES` (on Lambda, whose responses are at most 6 MB). Absent on the last page.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create("</users?limit=50&cursor=eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSJ9>; rel=\"next\""),
    };

    private static OpenApiResponse Unavailable(OpenApiDocument document) => WithRetryAfter(
        Problem(document, "Problem",
            "Storage (DynamoDB or S3) did not answer in time or refused, or the service is at capacity. Nothing was written.",
            ProblemExample(503, "A storage dependency is unavailable; retry later.")),
        $"Seconds to wait: {Problems.RetryAfterSeconds} after a storage failure, {AdmissionControl.OverloadRetryAfterSeconds} at capacity.");

    private static OpenApiResponse WithRetryAfter(OpenApiResponse response, string description)
    {
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = description,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
                Example = JsonValue.Create(Problems.RetryAfterSeconds),
            },
        };
        return response;
    }

    private static OpenApiResponse Problem(OpenApiDocument document, string schema, string description, JsonNode example) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schema, document), Example = example },
        },
    };

    private static Dictionary<string, OpenApiMediaType> Json(IOpenApiSchema schema, JsonNode example) => new()
    {
        ["application/json"] = new() { Schema = schema, Example = example },
    };

    private static OpenApiSchema UserSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "A user as the API shows it: exactly these three members.",
        Required = new HashSet<string> { "avatar_url", "email", "name" },
        AdditionalPropertiesAllowed = false,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["avatar_url"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "uri",
                Description = "Where the avatar can be loaded (`AVATAR_URL_MODE`): a CDN address (`AVATARS_PUBLIC_BASE_URL`), " +
                    "a presigned S3 URL, or the object's S3 address (private bucket: for a client with its own access).",
            },
            ["email"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "email",
                MaxLength = NewUserValidator.EmailMaxLength,
                Description = "Unique; stored trimmed and in lower case.",
            },
            ["name"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = NewUserValidator.NameMaxLength },
        },
    };

    private static OpenApiSchema NewUserSchema(long avatarMaxBytes) => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { NewUserValidator.Fields.Name, NewUserValidator.Fields.Email, NewUserValidator.Fields.Avatar },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            [NewUserValidator.Fields.Name] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = NewUserValidator.NameMaxLength,
                Description = $"Trimmed; 1 to {NewUserValidator.NameMaxLength} characters, no control or format characters.",
                Examples = [JsonValue.Create("Ada Lovelace")],
            },
            [NewUserValidator.Fields.Email] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "email",
                MaxLength = NewUserValidator.EmailMaxLength,
                Description = $"An address of at most {NewUserValidator.EmailMaxLength} characters; unique (compared in lower case).",
                Examples = [JsonValue.Create("ada@example.com")],
            },
            [NewUserValidator.Fields.Avatar] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = "binary",
                ContentMediaType = "application/octet-stream",
                Description = $"A {string.Join(", ", AvatarFormat.All.Select(f => f.Name))} image of 1 to {avatarMaxBytes} bytes " +
                    "(`AVATAR_MAX_BYTES`), recognised by its content; published without its metadata (Exif, GPS, XMP, comments).",
            },
        },
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details: every error has all four members.",
        Required = new HashSet<string> { "type", "title", "status", "detail" },
        Properties = ProblemProperties(),
    };

    private static OpenApiSchema ValidationProblemSchema()
    {
        var properties = ProblemProperties();
        properties["errors"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The messages for each invalid field, by field name.",
            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "A problem (400) with the messages for each invalid field.",
            Required = new HashSet<string> { "type", "title", "status", "detail", "errors" },
            Properties = properties,
        };
    }

    private static Dictionary<string, IOpenApiSchema> ProblemProperties() => new()
    {
        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
        ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
        ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
        ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The W3C trace context of the request (`traceparent` form), to find it in the logs." },
    };

    private static JsonObject UserExample() => new()
    {
        ["avatar_url"] = "https://cdn.example.com/avatars/3f1c0e9a6b2d4c58a1e7f09b2c4d6e8f.png",
        ["email"] = "ada@example.com",
        ["name"] = "Ada Lovelace",
    };

    private static JsonObject ProblemExample(int status, string detail) => new()
    {
        ["type"] = "https://tools.ietf.org/html/rfc9110",
        ["title"] = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
        ["status"] = status,
        ["detail"] = detail,
    };

    private static JsonObject ValidationExample(string field, string message)
    {
        var example = ProblemExample(400, Problems.ValidationDetail);
        example["errors"] = new JsonObject { [field] = new JsonArray(message) };
        return example;
    }
}
