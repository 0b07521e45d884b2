namespace Users.Functions.Endpoints;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and the Swagger UI over it (<c>/swagger</c>).</summary>
public static class ApiDocument
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Users API";
            document.Info.Description = "Users in DynamoDB, their avatars in S3.";
            return Task.CompletedTask;
        }));

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
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
