using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Users.Chart.Tests;

/// <summary>The fields of monitoring.coreos.com/v1 ServiceMonitor the chart renders (strict loading rejects others).</summary>
internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ServiceMonitorSpec Spec { get; set; } = new();
}

internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("jobLabel")]
    public string? JobLabel { get; set; }

    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("namespaceSelector")]
    public ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }

    [JsonPropertyName("endpoints")]
    public IList<ServiceMonitorEndpoint> Endpoints { get; set; } = [];
}

internal sealed class ServiceMonitorNamespaceSelector
{
    [JsonPropertyName("matchNames")]
    public IList<string> MatchNames { get; set; } = [];
}

internal sealed class ServiceMonitorEndpoint
{
    [JsonPropertyName("port")]
    public string Port { get; set; } = string.Empty;

    [JsonPropertyName("path")]
    public string Path { get; set; } = string.Empty;

    [JsonPropertyName("interval")]
    public string Interval { get; set; } = string.Empty;

    [JsonPropertyName("scrapeTimeout")]
    public string ScrapeTimeout { get; set; } = string.Empty;
}
