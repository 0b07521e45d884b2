var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/health/live", () => TypedResults.Ok());
app.Run();

public partial class Program;
