using k8s.Models;
using RemoteWorkloadOperator.Cluster;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Tests.Controller;

/// <summary>The reconcile's rules as a table, without an API server: what each situation makes of a workload.</summary>
public sealed class ReconcileRulesTests
{
    private const string Ns = "team-a";

    public static TheoryData<string, Case, WorkloadPhase?, string?, string?, bool> Rows => new()
    {
        // row, situation, held phase (null: runs), reason, message must contain, recheck
        { "a valid workload with its Secrets runs", new Case(), null, null, null, false },
        { "an http token URL fails naming the field", new Case { TokenUrl = "http://idp.example.com/token" }, WorkloadPhase.Failed, Reasons.InvalidSpec, "spec.oauth.tokenUrl", false },
        { "a metadata address fails as not allowed", new Case { TokenUrl = "https://169.254.169.254/token" }, WorkloadPhase.Failed, Reasons.EndpointNotAllowed, "spec.oauth.tokenUrl: address is a cloud metadata", false },
        { "a refresh token another running workload uses fails naming it", new Case { SharedWithRunning = "first" }, WorkloadPhase.Failed, Reasons.RefreshTokenInUse, "RemoteWorkload first", false },
        { "a refresh token a younger workload has claimed fails naming the claimant", new Case { ClaimedByYounger = "late" }, WorkloadPhase.Failed, Reasons.RefreshTokenInUse, "RemoteWorkload late", false },
        { "a refresh token this workload has claimed runs although an older one has a token", new Case { SharedWithRunning = "first", ClaimedByThis = true }, null, null, null, false },
        { "a missing Secret waits and is looked at again", new Case { Credentials = Reasons.SecretNotFound }, WorkloadPhase.Pending, Reasons.SecretNotFound, "create it", true },
        { "a missing key fails", new Case { Credentials = Reasons.SecretKeyMissing }, WorkloadPhase.Failed, Reasons.SecretKeyMissing, "no key", false },
        { "a missing ServiceAccount waits", new Case { Credentials = Reasons.ServiceAccountNotFound }, WorkloadPhase.Pending, Reasons.ServiceAccountNotFound, "create it", true },
        { "a ServiceAccount without the opt-in fails", new Case { Credentials = Reasons.ServiceAccountNotPermitted }, WorkloadPhase.Failed, Reasons.ServiceAccountNotPermitted, "create it", false },
        { "a foreign Secret under the token Secret's name fails", new Case { TokenSecret = SecretOwner.Foreign }, WorkloadPhase.Failed, Reasons.SecretConflict, "spec.tokenSecret.name: Secret team-a/w-token", false },
        { "a foreign Secret under the state Secret's name fails", new Case { StateSecret = SecretOwner.Foreign }, WorkloadPhase.Failed, Reasons.SecretConflict, "metadata.name: Secret team-a/w-oauth-state", false },
        { "a client-credentials workload ignores the state Secret's name", new Case { Grant = GrantTypes.ClientCredentials, StateSecret = SecretOwner.Foreign }, null, null, null, false },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_situation_holds_or_runs_the_workload_as_the_table_says(
        string row, Case situation, WorkloadPhase? phase, string? reason, string? message, bool recheck)
    {
        var (workload, others, secrets) = situation.Build();
        var inputs = new CredentialInputs("secret", situation.Grant == GrantTypes.RefreshToken ? "rt" : null, "creds@1");

        var decision = await ReconcileRules.DecideAsync(workload, others, ValidationOptions.Strict, _ => Read(situation.Credentials, inputs), secrets, TestContext.Current.CancellationToken);

        Assert.True(phase == decision.Verdict?.Phase, $"{row}: {decision.Verdict?.Phase} {decision.Verdict?.Reason} {decision.Verdict?.Message}");
        Assert.Equal(reason, decision.Verdict?.Reason);
        if (message is not null)
        {
            Assert.Contains(message, decision.Verdict!.Message, StringComparison.Ordinal);
        }

        Assert.Equal(recheck ? ReconcileRules.PendingRecheck : null, decision.Recheck);
        Assert.Equal(phase is null ? inputs : null, decision.Inputs);
    }

    [Fact]
    public async Task The_token_Secret_we_own_is_reported_present_and_a_missing_one_absent()
    {
        var withOurs = new Case { TokenSecret = SecretOwner.Ours }.Build();
        var without = new Case().Build();
        var inputs = new CredentialInputs("secret", "rt", "creds@1");

        var present = await ReconcileRules.DecideAsync(withOurs.Workload, withOurs.Others, ValidationOptions.Strict, _ => Task.FromResult(inputs), withOurs.Secrets, TestContext.Current.CancellationToken);
        var absent = await ReconcileRules.DecideAsync(without.Workload, without.Others, ValidationOptions.Strict, _ => Task.FromResult(inputs), without.Secrets, TestContext.Current.CancellationToken);

        Assert.True(present.TokenSecretPresent);
        Assert.False(absent.TokenSecretPresent);
    }

    private static Task<CredentialInputs> Read(string? missing, CredentialInputs inputs) => missing switch
    {
        null => Task.FromResult(inputs),
        Reasons.SecretNotFound or Reasons.ServiceAccountNotFound => throw new CredentialsUnavailableException(missing, "it does not exist yet; create it and the workload continues by itself"),
        Reasons.SecretKeyMissing => throw new CredentialsUnavailableException(missing, "Secret team-a/creds has no key \"refresh_token\""),
        _ => throw new CredentialsUnavailableException(missing, "the ServiceAccount does not allow this workload; annotate it, or create it and the workload continues by itself"),
    };

    public enum SecretOwner
    {
        None,
        Ours,
        Foreign,
    }

    /// <summary>One situation of the table (a record, so the test runner can print it).</summary>
    public sealed record Case
    {
        public string Grant { get; init; } = GrantTypes.RefreshToken;

        public string TokenUrl { get; init; } = "https://idp.example.com/token";

        public string? SharedWithRunning { get; init; }

        /// <summary>A workload on the same key, created after this one and without a token, that holds the claim.</summary>
        public string? ClaimedByYounger { get; init; }

        /// <summary>This workload holds the claim.</summary>
        public bool ClaimedByThis { get; init; }

        public string? Credentials { get; init; }

        public SecretOwner TokenSecret { get; init; }

        public SecretOwner StateSecret { get; init; }

        public (RemoteWorkload Workload, List<RemoteWorkload> Others, FakeSecrets Secrets) Build()
        {
            var workload = Workload("w", "uid-w", DateTime.UtcNow);
            var others = new List<RemoteWorkload> { workload };
            if (SharedWithRunning is { } name)
            {
                var first = Workload(name, "uid-first", DateTime.UtcNow.AddHours(-1));
                first.Status = new RemoteWorkloadStatus { Phase = WorkloadPhase.Running, Token = new TokenStatus { SecretName = $"{name}-token" } };
                others.Add(first);
            }

            var secrets = new FakeSecrets();
            if (ClaimedByYounger is { } claimant)
            {
                others.Add(Workload(claimant, "uid-claimant", DateTime.UtcNow.AddHours(1)));
                secrets.AddClaim(claimant, "uid-claimant", workload.Spec.OAuth.RefreshTokenSecretRef!);
            }

            if (ClaimedByThis)
            {
                secrets.AddClaim("w", "uid-w", workload.Spec.OAuth.RefreshTokenSecretRef!);
            }

            secrets.Add("w-token", TokenSecret);
            secrets.Add("w-oauth-state", StateSecret);
            return (workload, others, secrets);
        }

        private RemoteWorkload Workload(string name, string uid, DateTime created) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Uid = uid, Generation = 1, CreationTimestamp = created },
            Spec = new RemoteWorkloadSpec
            {
                Url = "https://svc.example.com/mcp",
                OAuth = new OAuthSpec
                {
                    TokenUrl = TokenUrl,
                    Grant = Grant,
                    ClientId = "client",
                    ClientSecretRef = new SecretKeyReference { Name = "creds", Key = "client_secret" },
                    RefreshTokenSecretRef = Grant == GrantTypes.RefreshToken ? new SecretKeyReference { Name = "creds", Key = "refresh_token" } : null,
                },
            },
        };
    }

    /// <summary>Secrets by name in the workload's namespace; ours carry the managed labels.</summary>
    public sealed class FakeSecrets : ISecretReader
    {
        private readonly Dictionary<string, V1Secret> _secrets = new(StringComparer.Ordinal);

        public void Add(string name, SecretOwner owner)
        {
            if (owner == SecretOwner.None)
            {
                return;
            }

            _secrets[name] = new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = Ns,
                    Labels = owner == SecretOwner.Ours ? ManagedSecrets.Labels("w") : new Dictionary<string, string> { ["app"] = "someone-else" },
                    Annotations = owner == SecretOwner.Ours ? ManagedSecrets.Annotations("w") : null,
                },
            };
        }

        /// <summary>A refresh-token claim held by <paramref name="holder"/>, as <see cref="RefreshTokenClaims"/> writes it.</summary>
        public void AddClaim(string holder, string uid, SecretKeyReference reference)
        {
            var annotations = ManagedSecrets.Annotations(holder);
            annotations[WorkloadAnnotations.WorkloadUid] = uid;
            _secrets[RefreshTokenClaims.SecretName(reference)] = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = RefreshTokenClaims.SecretName(reference), NamespaceProperty = Ns, Labels = ManagedSecrets.Labels(holder), Annotations = annotations },
            };
        }

        public ValueTask<V1Secret?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
            ValueTask.FromResult(@namespace == Ns && _secrets.TryGetValue(name, out var secret) ? secret : null);

        public ValueTask<V1Secret?> GetLiveAsync(string @namespace, string name, CancellationToken cancellationToken) => GetAsync(@namespace, name, cancellationToken);

        public void Written(V1Secret secret)
        {
        }
    }
}
