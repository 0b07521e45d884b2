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
        services.AddOpenApi(options => options.AddDocumentTransformer((document, context, _) =>
        {
            ApiDocumentDetails.Describe(document, context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value);
            return Task.CompletedTask;
        }));

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
