using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Users.Functions.Settings;

namespace Users.Functions.Endpoints;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>), always, and the Swagger UI over it (<c>/swagger</c>) only when
/// <c>SWAGGER_UI_ENABLED=true</c> (<see cref="ApiOptions.SwaggerUi"/>): off in the image, the chart and on Lambda unless
/// an operator turns it on, on under <c>make run</c>.
/// </summary>
public static class ApiDocument
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Users API";
            document.Info.Description = "Users in DynamoDB, their avatars in S3.";
            return Task.CompletedTask;
        }));

    /// <summary>Documents the <c>ETag</c> header on the given responses of an operation (the header parameters document themselves).</summary>
    internal static void AddETagHeader(OpenApiOperation operation, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            if (operation.Responses?.TryGetValue(status.ToString(CultureInfo.InvariantCulture), out var response) == true && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["ETag"] = new OpenApiHeader
                {
                    Description = "The list's entity tag: send it back as `If-None-Match` to get 304 while the list is unchanged.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }
    }

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        if (!app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.SwaggerUi)
        {
            return app;
        }

        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "swagger";
            // Relative, so it also works under a path base (an API Gateway stage).
            options.SwaggerEndpoint("../openapi/v1.json", "Users API v1");
            options.DocumentTitle = "Users API";
        });
        return app;
    }
}
