using System.Globalization;
using System.Runtime.InteropServices;

namespace Users.LambdaEmulator;

/// <summary>
/// usage: Users.LambdaEmulator --function PATH [--port 3000] [--runtime-port 0] [--timeout 29] [--memory 512]
///                             [--name users-api] [--stage $default] [--front http|rest]
///                             [--binary-media-types multipart/form-data,*/*]
/// </summary>
internal static class EmulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            settings[args[i].TrimStart('-')] = args[i + 1];
        }

        if (!settings.TryGetValue("function", out var path))
        {
            await Console.Error.WriteLineAsync("usage: Users.LambdaEmulator --function PATH [--port 3000] [--runtime-port 0] [--timeout 29] [--memory 512] [--name users-api] [--stage $default] [--front http|rest] [--binary-media-types multipart/form-data,*/*]");
            return 2;
        }

        int Int(string name, int fallback) => settings.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        var function = new FunctionOptions
        {
            Path = path,
            FunctionName = settings.GetValueOrDefault("name", "users-api"),
            MemorySizeMb = Int("memory", 512),
            Timeout = TimeSpan.FromSeconds(Int("timeout", 29)),
        };
        var front = settings.GetValueOrDefault("front", "http") switch
        {
            "http" => ApiFront.HttpApi,
            "rest" => ApiFront.Rest,
            var other => throw new ArgumentException($"--front must be http or rest, not '{other}'"),
        };
        var options = new EmulatorOptions
        {
            Front = front,
            BinaryMediaTypes = settings.TryGetValue("binary-media-types", out var types)
                ? types.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : RestApiFront.DefaultBinaryMediaTypes,
            Port = Int("port", 3000),
            RuntimePort = Int("runtime-port", 0),
            Stage = settings.GetValueOrDefault("stage", "$default"),
        };

        await using var emulator = await LambdaEmulator.StartAsync(function, options);
        Console.Error.WriteLine($"Lambda emulator: API on {emulator.BaseAddress} ({Describe(options)}), Runtime API on {emulator.Runtime.RuntimeApi}, function {path}");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop the function and leave.
        }

        return 0;
    }

    private static string Describe(EmulatorOptions options) => options.Front == ApiFront.Rest
        ? $"REST API, payload 1.0, stage {options.EffectiveStage} at /{options.EffectiveStage}/ or at the root, binary media types {string.Join(", ", options.BinaryMediaTypes)}"
        : $"HTTP API, payload 2.0, stage {options.EffectiveStage}";
}
