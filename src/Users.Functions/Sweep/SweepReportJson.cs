using System.Text.Json;
using Users.Core.UseCases;

namespace Users.Functions.Sweep;

/// <summary>A run's report as the sweep function's response (written by hand: no reflection, trim- and AOT-safe).</summary>
internal static class SweepReportJson
{
    public static byte[] Write(AvatarSweepReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("result", report.Result);
            json.WriteBoolean("dryRun", report.DryRun);
            json.WriteString("started", report.Started);
            json.WriteNumber("seconds", Math.Round(report.Elapsed.TotalSeconds, 3));
            json.WriteNumber("users", report.Users);
            json.WriteNumber("examined", report.Examined);
            json.WriteNumber("orphansFound", report.OrphansFound);
            json.WriteNumber("removed", report.Removed);
            json.WriteStartObject("kept");
            foreach (var (reason, count) in report.Kept)
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
            if (report.Error is { } error)
            {
                json.WriteString("error", error);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
