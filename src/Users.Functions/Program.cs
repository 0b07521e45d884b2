using Users.Functions.LambdaHosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.UseLambdaHostingWhenConfigured();
var app = builder.Build();
app.MapGet("/health/live", () => TypedResults.Ok());
app.Run();

public partial class Program;
