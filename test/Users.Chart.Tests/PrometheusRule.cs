using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Users.Chart.Tests;

/// <summary>The fields of monitoring.coreos.com/v1 PrometheusRule the chart renders (strict loading rejects others).</summary>
internal sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PrometheusRuleSpec Spec { get; set; } = new();
}

internal sealed class PrometheusRuleSpec
{
    [JsonPropertyName("groups")]
    public IList<PrometheusRuleGroup> Groups { get; set; } = [];
}

internal sealed class PrometheusRuleGroup
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("rules")]
    public IList<PrometheusRuleEntry> Rules { get; set; } = [];
}

internal sealed class PrometheusRuleEntry
{
    [JsonPropertyName("record")]
    public string? Record { get; set; }

    [JsonPropertyName("alert")]
    public string? Alert { get; set; }

    [JsonPropertyName("expr")]
    public string Expr { get; set; } = string.Empty;

    [JsonPropertyName("for")]
    public string? For { get; set; }

    [JsonPropertyName("labels")]
    public IDictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }
}
