// Evaluates AWS requests against IAM policies with @cloud-copilot/iam-simulate (AGPL: a test-time tool of this
// repository, never shipped). Used by test/Users.Terraform.Tests (IamSimulator.cs): it reads one JSON array of cases
// on stdin and writes one JSON array of results on stdout, in the same order.
//
// A case: { "id", "principal", "action", "resource", "account", "identityPolicies": [{ "name", "policy" }],
//           "resourcePolicy"?, "context"?: { key: value | [values] }, "trust"?: true }
// A result: { "id", "decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", "ignoredContextKeys": [...],
//             "errors"?: ... }
//
// Requests are validated (the action exists, the ARN is of a resource type the action takes, every context key is
// one the action knows): a context key the simulator would ignore is returned, and the caller fails on it, so a
// condition can never pass because its key was silently dropped. Cases the simulator's catalogue cannot validate
// ("unvalidated": true) are evaluated by the same engine without that validation, exactly as written: trust
// policies, whose identity providers' keys (oidc.eks…:sub, token.actions.githubusercontent.com:aud/sub) it does not
// list, and API Gateway's paths, which it cannot match (no V2 /apis types; stages and deployments of both versions
// listed as one comma-joined pattern)
// (what the package's runUnsafeSimulation does; it is rebuilt here because that function loads a resource policy
// without the name its engine then reads, which throws: see 0.1.173's unsafeSimulationEngine.js).
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";

// Internal modules of the pinned version (package-lock.json), reached by file URL (the package exports only its index).
const internal = (module) => import(new URL(`./node_modules/@cloud-copilot/iam-simulate/dist/esm/${module}`, import.meta.url));
const { authorize } = await internal("core_engine/CoreSimulatorEngine.js");
const { AwsRequestImpl } = await internal("request/request.js");
const { RequestContextImpl } = await internal("requestContext.js");
const { DiscoveryContextKeyConstraints } = await internal("context_keys/discoveryContextKeyConstraints.js");

function evaluateUnvalidated(c) {
  const request = new AwsRequestImpl(c.principal, { resource: c.resource, accountId: c.account }, c.action, new RequestContextImpl(c.context ?? {}));
  return authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: (c.identityPolicies ?? []).map((p) => loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy ? loadPolicy(c.resourcePolicy, { name: "resource policy" }) : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  }).result;
}

const input = JSON.parse(await new Promise((resolve, reject) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
  process.stdin.on("error", reject);
}));

const results = [];
for (const c of input) {
  const simulation = {
    identityPolicies: c.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.account },
      contextVariables: c.context ?? {},
    },
  };

  if (c.unvalidated) {
    results.push({ id: c.id, decision: evaluateUnvalidated(c), ignoredContextKeys: [] });
    continue;
  }

  const response = await runSimulation(simulation, {});
  if (response.resultType === "error") {
    results.push({ id: c.id, decision: "Error", ignoredContextKeys: [], errors: response.errors });
  } else if (response.resultType === "single") {
    results.push({ id: c.id, decision: response.overallResult, ignoredContextKeys: response.result.ignoredContextKeys ?? [] });
  } else {
    const ignored = [...new Set(response.results.flatMap((r) => r.ignoredContextKeys ?? []))];
    results.push({ id: c.id, decision: response.overallResult, ignoredContextKeys: ignored });
  }
}

process.stdout.write(JSON.stringify(results));
