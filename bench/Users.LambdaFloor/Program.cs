using Users.Lambda.Hosting;

// The same host the function builds (slim builder, Lambda server, Powertools-shaped logs), with one route answering
// what an empty table would: no configuration, no telemetry, no AWS client.
var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.UseLambdaHostingWhenConfigured();
var app = builder.Build();
app.MapGet("/users", () => TypedResults.Text("[]", "application/json"));
await app.RunAsync();
