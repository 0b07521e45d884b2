using System.Text.Json;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>One shape of HTTP event (API Gateway HTTP API payload 2.0, REST API payload 1.0, ...).</summary>
internal interface IHttpEventShape
{
    string Name { get; }

    /// <summary>Whether the event has this shape.</summary>
    bool Matches(JsonElement root);

    LambdaHttpRequest ReadRequest(JsonElement root);

    byte[] WriteResponse(LambdaHttpResponse response);
}

/// <summary>The shapes the adapter understands, most specific first.</summary>
internal static class HttpEventShapes
{
    public static IReadOnlyList<IHttpEventShape> All { get; } = [new HttpApiV2EventShape(), new RestApiV1EventShape()];

    public static IHttpEventShape? Find(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var shape in All)
        {
            if (shape.Matches(root))
            {
                return shape;
            }
        }

        return null;
    }
}
