using System.Net;
using k8s.Models;

namespace Users.Chart.Tests;

/// <summary>
/// The NetworkPolicy as the cluster applies it: the rendered policy evaluated (Kubernetes' rules: a connection is allowed
/// when one rule of its direction matches both its port and its peer; named ports resolved from the Deployment) against
/// a table of destinations and sources the pod meets on EKS, each expected allowed or refused.
/// </summary>
public sealed class NetworkPolicyTests
{
    private const string Eks = "values-eks.yaml";

    public static TheoryData<string, string, int, string, bool> EksEgress => new()
    {
        { "the cluster DNS (CoreDNS pod, kube-system)", "pod:kube-system", 53, "UDP", true },
        { "the cluster DNS over TCP", "pod:kube-system", 53, "TCP", true },
        { "the VPC resolver", "10.42.0.2", 53, "UDP", true },
        { "DynamoDB's regional endpoint", "52.94.0.10", 443, "TCP", true },
        { "S3's regional endpoint", "52.216.0.20", 443, "TCP", true },
        { "STS (IRSA's token exchange)", "54.239.0.30", 443, "TCP", true },
        { "an AWS endpoint over IPv6", "2600:1f18::10", 443, "TCP", true },
        { "the EKS Pod Identity agent", "169.254.170.23", 80, "TCP", true },
        { "the EKS Pod Identity agent over IPv6", "fd00:ec2::23", 80, "TCP", true },
        { "the instance metadata service", "169.254.169.254", 80, "TCP", false },
        { "the instance metadata service on 443", "169.254.169.254", 443, "TCP", false },
        { "the instance metadata service as a resolver", "169.254.169.254", 53, "UDP", false },
        { "the instance metadata service over IPv6", "fd00:ec2::254", 80, "TCP", false },
        { "the instance metadata service over IPv6 on 443", "fd00:ec2::254", 443, "TCP", false },
        { "an AWS endpoint over plain HTTP", "52.94.0.10", 80, "TCP", false },
        { "the Pod Identity agent on another port", "169.254.170.23", 443, "TCP", false },
        { "a database in the VPC", "10.42.7.9", 5432, "TCP", false },
        { "another pod's HTTP port", "pod:default", 8080, "TCP", false },
    };

    public static TheoryData<string, string, string, bool> EksIngress => new()
    {
        { "the load balancer (target type ip, from the VPC)", "10.42.3.7", "http", true },
        { "a client outside the VPC", "203.0.113.9", "http", false },
        { "a pod of another namespace", "pod:default", "http", false },
        { "Prometheus (namespace monitoring)", "pod:monitoring", "metrics", true },
        { "the load balancer on the metrics port", "10.42.3.7", "metrics", false },
        { "a pod of another namespace on the metrics port", "pod:default", "metrics", false },
    };

    [Theory]
    [MemberData(nameof(EksEgress))]
    public void Eks_profile_egress(string what, string destination, int port, string protocol, bool allowed)
    {
        var (policy, ports) = Rendered(ChartRenderer.ValuesFile(Eks));
        Assert.True(Allows(policy.Spec.Egress.Select(r => ((IList<V1NetworkPolicyPort>?)r.Ports, (IList<V1NetworkPolicyPeer>?)r.To)), ports, Peer(destination), port, protocol) == allowed,
            $"{what} ({destination}:{port}/{protocol}) must be {(allowed ? "allowed" : "refused")}");
    }

    [Theory]
    [MemberData(nameof(EksIngress))]
    public void Eks_profile_ingress(string what, string source, string portName, bool allowed)
    {
        var (policy, ports) = Rendered(ChartRenderer.ValuesFile(Eks));
        Assert.True(Allows(policy.Spec.Ingress.Select(r => ((IList<V1NetworkPolicyPort>?)r.Ports, (IList<V1NetworkPolicyPeer>?)r.FromProperty)), ports, Peer(source), ports[portName], "TCP") == allowed,
            $"{what} ({source} to {portName}) must be {(allowed ? "allowed" : "refused")}");
    }

    [Theory]
    [MemberData(nameof(EksEgress))]
    public void Eks_profile_sweep_pods_have_the_same_egress(string what, string destination, int port, string protocol, bool allowed)
    {
        var policy = SweepPolicy(ChartRenderer.ValuesFile(Eks));
        Assert.True(Allows(policy.Spec.Egress.Select(r => ((IList<V1NetworkPolicyPort>?)r.Ports, (IList<V1NetworkPolicyPeer>?)r.To)), [], Peer(destination), port, protocol) == allowed,
            $"{what} ({destination}:{port}/{protocol}) must be {(allowed ? "allowed" : "refused")} for the sweep's pods");
    }

    [Fact]
    public void Eks_profile_sweep_pods_take_no_connection_and_their_policy_selects_them()
    {
        var m = ChartRenderer.Render(ChartRenderer.ValuesFile(Eks));
        var policy = SweepPolicy(ChartRenderer.ValuesFile(Eks));
        var podLabels = m.Single<V1CronJob>().Spec.JobTemplate.Spec.Template.Metadata.Labels;

        Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
        Assert.True(policy.Spec.Ingress is not { Count: > 0 }, "the sweep's pods serve nothing: no ingress rule");
        Assert.All(policy.Spec.PodSelector.MatchLabels, kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        var api = m.Named<V1NetworkPolicy>(ChartRenderer.FullName);
        Assert.False(api.Spec.PodSelector.MatchLabels.All(kv => podLabels.TryGetValue(kv.Key, out var v) && v == kv.Value), "the API's policy (its ingress rules) would select a sweep pod");
    }

    [Fact]
    public void Eks_profile_isolates_both_directions()
    {
        var (policy, _) = Rendered(ChartRenderer.ValuesFile(Eks));
        Assert.Equal(["Egress", "Ingress"], policy.Spec.PolicyTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Aws_api_cidrs_narrow_https_to_the_vpc_endpoints_and_the_pod_identity_agent_stays_off_by_default()
    {
        var (policy, ports) = Rendered("--set", "networkPolicy.enabled=true", "--set", "networkPolicy.awsApiCidrs={10.42.200.0/24}");
        var egress = policy.Spec.Egress.Select(r => ((IList<V1NetworkPolicyPort>?)r.Ports, (IList<V1NetworkPolicyPeer>?)r.To)).ToList();
        Assert.True(Allows(egress, ports, Peer("10.42.200.17"), 443, "TCP"));
        Assert.False(Allows(egress, ports, Peer("52.94.0.10"), 443, "TCP"));
        Assert.False(Allows(egress, ports, Peer("169.254.170.23"), 80, "TCP"));
        Assert.False(Allows(egress, ports, Peer("169.254.169.254"), 80, "TCP"));
    }

    /// <summary>A peer: an address, or a pod in a namespace ("pod:NAMESPACE").</summary>
    private sealed record PeerAddress(IPAddress? Ip, string? Namespace);

    private static PeerAddress Peer(string value) =>
        value.StartsWith("pod:", StringComparison.Ordinal) ? new PeerAddress(null, value[4..]) : new PeerAddress(IPAddress.Parse(value), null);

    private static (V1NetworkPolicy Policy, Dictionary<string, int> Ports) Rendered(params string[] args)
    {
        var m = ChartRenderer.Render(args);
        var container = Assert.Single(m.Single<V1Deployment>().Spec.Template.Spec.Containers);
        return (m.Named<V1NetworkPolicy>(ChartRenderer.FullName), container.Ports.Where(p => p.Name is not null).ToDictionary(p => p.Name, p => p.ContainerPort));
    }

    private static V1NetworkPolicy SweepPolicy(params string[] args) => ChartRenderer.Render(args).Named<V1NetworkPolicy>(ChartRenderer.FullName + "-sweep");

    /// <summary>Kubernetes' rule: some rule matches the port (no ports: every port) and the peer (no peers: every peer).</summary>
    private static bool Allows(IEnumerable<(IList<V1NetworkPolicyPort>? Ports, IList<V1NetworkPolicyPeer>? Peers)> rules, Dictionary<string, int> named, PeerAddress peer, int port, string protocol) =>
        rules.Any(rule =>
            (rule.Ports is not { Count: > 0 } || rule.Ports.Any(p => (p.Protocol ?? "TCP") == protocol && PortMatches(p, named, port)))
            && (rule.Peers is not { Count: > 0 } || rule.Peers.Any(p => PeerMatches(p, peer))));

    private static bool PortMatches(V1NetworkPolicyPort rule, Dictionary<string, int> named, int port)
    {
        if (rule.Port is null)
        {
            return true;
        }

        var first = int.TryParse(rule.Port.Value, out var number) ? number : named.GetValueOrDefault(rule.Port.Value, -1);
        return port >= first && port <= (rule.EndPort ?? first);
    }

    /// <summary>
    /// ipBlock matches addresses (except excluded); a namespaceSelector (and podSelector) matches pods. Namespaces carry
    /// their kubernetes.io/metadata.name label, as every cluster sets it.
    /// </summary>
    private static bool PeerMatches(V1NetworkPolicyPeer rule, PeerAddress peer)
    {
        if (rule.IpBlock is { } block)
        {
            return peer.Ip is { } ip && IPNetwork.Parse(block.Cidr).Contains(ip) && !(block.Except ?? []).Any(e => IPNetwork.Parse(e).Contains(ip));
        }

        if (peer.Namespace is null)
        {
            return false;
        }

        var labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = peer.Namespace };
        return rule.NamespaceSelector is { } selector
            ? (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.GetValueOrDefault(l.Key) == l.Value) && selector.MatchExpressions is not { Count: > 0 }
            : peer.Namespace == ChartRenderer.Namespace && rule.PodSelector is not null;
    }
}
