namespace Users.Functions.Settings;

/// <summary>HTTP-side settings of the API (storage settings live in <c>AwsStorageOptions</c>).</summary>
public sealed class ApiOptions
{
    public const long DefaultAvatarMaxBytes = 4 * 1024 * 1024;

    /// <summary>Largest accepted avatar, in bytes (<c>AVATAR_MAX_BYTES</c>).</summary>
    public long AvatarMaxBytes { get; set; } = DefaultAvatarMaxBytes;

    /// <summary>How long in-flight requests may drain on SIGTERM (<c>SHUTDOWN_TIMEOUT_SECONDS</c>).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The most one request may take end to end; past it the request is cancelled and answered 503.
    /// Kept below 10 s together with the SDK's per-attempt timeout and the clean-up budget.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(6.5);

    /// <summary>Lambda's default for <see cref="ListMaxResponseBytes"/>: escaped into the response event (at most twice the size), it stays under the 6 MB payload limit.</summary>
    public const long LambdaListMaxResponseBytes = 2_621_440;

    /// <summary>
    /// Largest <c>GET /users</c> body without <c>limit</c> (<c>LIST_MAX_RESPONSE_BYTES</c>); a longer list ends with a
    /// <c>Link</c> to the rest. 0: no bound, the list is streamed (Kestrel's default); on Lambda <see cref="LambdaListMaxResponseBytes"/>.
    /// </summary>
    public long ListMaxResponseBytes { get; set; }

    /// <summary>
    /// Whether concurrent <c>GET /users</c> without a limit on this instance share one Scan pass (<c>LIST_COALESCE</c>,
    /// default true): a list that arrives while a pass is running waits for the next one and shares it with every list
    /// that arrived meanwhile, so nobody misses a user registered before its request began (<see cref="Endpoints.SharedUserList"/>).
    /// </summary>
    public bool ListCoalesce { get; set; } = true;

    /// <summary>
    /// How long a completed list (up to <see cref="Endpoints.SharedUserList.SnapshotMaxBytes"/> of JSON) is served again
    /// without a Scan (<c>LIST_SNAPSHOT_SECONDS</c>, default 0: never). A list then reflects the table as of a Scan that
    /// began at most that long before the request; a registration on this instance discards the snapshot.
    /// </summary>
    public TimeSpan ListSnapshotDuration { get; set; } = TimeSpan.Zero;
    /// Serve Swagger UI at <c>/swagger</c> (<c>SWAGGER_UI_ENABLED</c>; off unless set, on under <c>make run</c>). A browser
    /// application of a third party served from the API's own origin is attack surface a deployment does not need; the
    /// OpenAPI document (<c>/openapi/v1.json</c>) stays served either way: it describes only the public routes.
    /// </summary>
    public bool SwaggerUi { get; set; }

    /// <summary>How long a readiness result is reused before the dependencies are asked again.</summary>
    public TimeSpan ReadinessCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for one readiness probe of all dependencies.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Room for the multipart framing and the text fields on top of the avatar.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    /// <summary>The request-body limit the server enforces for a registration.</summary>
    public long MaxRequestBodyBytes => AvatarMaxBytes + FormOverheadBytes;
}
