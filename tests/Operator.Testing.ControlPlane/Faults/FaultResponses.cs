using System.Text.Json.Nodes;
using RemoteWorkloadOperator.Testing.ControlPlane.Api;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Faults;

/// <summary>
/// The Status bodies an injected fault answers with: the shapes a production kube-apiserver returns for
/// that code, so the client code under test sees what it will see in production.
/// </summary>
internal static class FaultResponses
{
    /// <summary>Retry-After (seconds) of an injected 429, as API Priority and Fairness sends it.</summary>
    public const int RetryAfterSeconds = 1;

    public static ApiException For(int code, ResourceType type, string? name, string verb) => code switch
    {
        // An optimistic-concurrency conflict (registry/generic/registry/store.go Update). Realistic only for
        // requests that carry a resourceVersion (PUT, or a patch that sets metadata.resourceVersion).
        409 => Status.Conflict(type, name ?? ""),

        // API Priority and Fairness rejecting a request (server/filters/priority-and-fairness.go tooManyRequests).
        429 => new ApiException(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = RetryAfterSeconds }),

        // An admission plugin or webhook refusing the request (admission/errors.go NewForbidden).
        403 => new ApiException(403, "Forbidden", $"{Subject(type, name)} is forbidden: injected admission denial", Status.Details(type, name)),

        // Validation (or a ValidatingAdmissionPolicy) refusing the object (api/errors NewInvalid).
        422 => Status.Invalid(type.Kind, type.Group, name ?? "", [FieldError.Invalid("metadata", "\"\"", "injected validation failure")]),

        // The request deadline passing in the apiserver (server/filters/timeout.go): common on list, get,
        // watch and Lease calls of an overloaded or etcd-starved server.
        504 => new ApiException(504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded", new JsonObject { ["retryAfterSeconds"] = 0 }),

        503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
        _ => Status.Internal($"injected fault on {verb}"),
    };

    private static string Subject(ResourceType type, string? name) =>
        name is null ? type.GroupResource : $"{type.GroupResource} \"{name}\"";
}
