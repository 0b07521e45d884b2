using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using Xunit.Abstractions;

namespace Users.Chart.Tests;

/// <summary>
/// Metrics, ServiceMonitor, PrometheusRule and dashboard: the management port is scraped through a Service of its
/// own and never reaches the public Service or the Ingress; the rules and the dashboard are the chart's files.
/// </summary>
public sealed partial class ObservabilityChartTests(ITestOutputHelper output)
{
    private static readonly string[] Monitoring =
    [
        "--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true", "--set", "grafanaDashboard.enabled=true",
        "--set", "ingress.enabled=true", "--set", "networkPolicy.enabled=true",
    ];

    private Manifests Render(params string[] args)
    {
        output.WriteLine($"renderer: {ChartRenderer.Description}; args: {string.Join(' ', args)}");
        return ChartRenderer.Render(args);
    }

    [Fact]
    public void By_default_the_container_names_the_metrics_port_and_nothing_of_monitoring_is_rendered()
    {
        var m = Render();
        var container = Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers);
        var port = Assert.Single(container.Ports, p => p.Name == "metrics");
        Assert.Equal(9464, port.ContainerPort);
        Assert.Equal("9464", m.Single<V1ConfigMap>().Data["METRICS_PORT"]);

        var service = m.Single<V1Service>();
        Assert.Equal("http", Assert.Single(service.Spec.Ports).Name);
        Assert.False(m.Has<ServiceMonitor>());
        Assert.False(m.Has<PrometheusRule>());
    }

    [Fact]
    public void Metrics_can_be_turned_off()
    {
        var m = Render("--set", "metrics.enabled=false");
        Assert.DoesNotContain(Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers).Ports, p => p.Name == "metrics");
        Assert.Equal("0", m.Single<V1ConfigMap>().Data["METRICS_PORT"]);
    }

    [Fact]
    public void A_service_monitor_without_metrics_is_refused()
    {
        var result = ChartRenderer.TryRender("--set", "serviceMonitor.enabled=true", "--set", "metrics.enabled=false");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("metrics.enabled", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_monitor_scrapes_the_metrics_port_through_its_own_service_and_the_public_path_never_carries_it()
    {
        var m = Render([.. Monitoring, "--set", "metrics.port=9100"]);
        var monitor = m.Single<ServiceMonitor>();
        var endpoint = Assert.Single(monitor.Spec.Endpoints);
        Assert.Equal("metrics", endpoint.Port);
        Assert.Equal("/metrics", endpoint.Path);
        Assert.Equal("app.kubernetes.io/name", monitor.Spec.JobLabel);

        var services = m.All<V1Service>().ToList();
        var selected = Assert.Single(services, s => monitor.Spec.Selector.MatchLabels.All(kv => s.Metadata.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value));
        Assert.Equal("ClusterIP", selected.Spec.Type);
        var metricsPort = Assert.Single(selected.Spec.Ports);
        Assert.Equal(("metrics", 9100, "metrics"), (metricsPort.Name, metricsPort.Port, metricsPort.TargetPort.Value));
        // The job label the rules and the dashboard select on (job="users-api") is the Service's app.kubernetes.io/name.
        Assert.Equal("users-api", selected.Metadata.Labels[monitor.Spec.JobLabel!]);

        var container = Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers);
        Assert.Equal(9100, Assert.Single(container.Ports, p => p.Name == "metrics").ContainerPort);
        Assert.Equal("9100", Assert.Single(m.All<V1ConfigMap>(), c => c.Data.ContainsKey("METRICS_PORT")).Data["METRICS_PORT"]);

        var publicService = Assert.Single(services, s => s != selected);
        Assert.All(publicService.Spec.Ports, p => Assert.NotEqual("metrics", p.TargetPort.Value));
        var ingressPaths = m.Single<V1Ingress>().Spec.Rules.SelectMany(r => r.Http.Paths).ToList();
        Assert.All(ingressPaths, p => Assert.Equal(publicService.Metadata.Name, p.Backend.Service.Name));

        var policy = m.Named<V1NetworkPolicy>(ChartRenderer.FullName);
        Assert.Contains(policy.Spec.Ingress, rule => rule.Ports.Any(p => p.Port.Value == "metrics"));
    }

    [Fact]
    public void The_network_policy_can_limit_who_scrapes()
    {
        var values = Path.Combine(Path.GetTempPath(), $"metrics-from-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(values, "networkPolicy:\n  enabled: true\n  metricsFrom:\n    - namespaceSelector:\n        matchLabels:\n          name: monitoring\n");
        Manifests m;
        try
        {
            m = Render("-f", values);
        }
        finally
        {
            File.Delete(values);
        }

        var rule = Assert.Single(m.Named<V1NetworkPolicy>(ChartRenderer.FullName).Spec.Ingress, r => r.Ports.Any(p => p.Port.Value == "metrics"));
        Assert.Equal("monitoring", Assert.Single(rule.FromProperty).NamespaceSelector.MatchLabels["name"]);
    }

    [Fact]
    public void The_prometheus_rule_is_the_rules_file_with_runbook_links_to_existing_sections()
    {
        const string Base = "https://runbooks.example.org/users-api.md";
        var rule = Render([.. Monitoring, "--set", $"prometheusRule.runbookBaseUrl={Base}"]).Single<PrometheusRule>();
        var source = YamlJson.Load(RepoPaths.ChartFile(Path.Combine("files", "prometheus", "rules.yaml")))!;
        var sourceRules = source["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).ToList();
        var rendered = rule.Spec.Groups.SelectMany(g => g.Rules).ToList();

        Assert.Equal(sourceRules.Count, rendered.Count);
        for (var i = 0; i < rendered.Count; i++)
        {
            Assert.Equal((string?)sourceRules[i]!["record"] ?? (string?)sourceRules[i]!["alert"], rendered[i].Record ?? rendered[i].Alert);
            Assert.Equal(((string)sourceRules[i]!["expr"]!).Trim(), rendered[i].Expr.Trim());
        }

        var anchors = RunbookAnchors();
        var alerts = rendered.Where(r => r.Alert is not null).ToList();
        Assert.NotEmpty(alerts);
        Assert.All(alerts, alert =>
        {
            var url = alert.Annotations!["runbook_url"];
            Assert.StartsWith(Base + "#", url, StringComparison.Ordinal);
            Assert.Contains(url[(Base.Length + 1)..], anchors);
            Assert.Contains(alert.Labels!["severity"], new[] { "page", "ticket" });
        });
    }

    [Fact]
    public void The_dashboard_config_map_carries_the_sidecar_label_and_the_dashboard_file()
    {
        var m = Render(Monitoring);
        var dashboard = Assert.Single(m.All<V1ConfigMap>(), c => c.Metadata.Labels.ContainsKey("grafana_dashboard"));
        Assert.Equal("1", dashboard.Metadata.Labels["grafana_dashboard"]);
        var json = Assert.Single(dashboard.Data).Value;
        Assert.Equal(File.ReadAllText(RepoPaths.ChartFile(Path.Combine("files", "grafana", "users-api.json"))).TrimEnd(), json.TrimEnd());

        var parsed = JsonNode.Parse(json)!;
        var titles = parsed["panels"]!.AsArray().Select(p => (string)p!["title"]!).ToList();
        foreach (var expected in new[] { "Rate by route and status", "Availability budget left (28 d)", "Calls by outcome", "HPA replicas vs maximum", "Ready containers" })
        {
            Assert.Contains(expected, titles);
        }

        var queries = parsed["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => (string)t!["expr"]!).ToList();
        Assert.All(queries, q => Assert.False(string.IsNullOrWhiteSpace(q)));
    }

    /// <summary>GitHub's anchors of the runbook's headings: lower case, spaces to '-', punctuation dropped.</summary>
    private static HashSet<string> RunbookAnchors()
    {
        var runbook = File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "docs", "runbook.md"));
        return runbook.Where(l => l.StartsWith('#'))
            .Select(l => AnchorPunctuation().Replace(l.TrimStart('#').Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("[^a-z0-9 _-]")]
    private static partial Regex AnchorPunctuation();
}
