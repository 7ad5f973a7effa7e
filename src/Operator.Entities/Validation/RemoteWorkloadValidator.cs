using System.Text.RegularExpressions;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Schema;

namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>
/// Checks every rule of the RemoteWorkload contract and returns all problems at once, each with
/// its field path, so a user fixes a manifest in one round trip. It repeats what the CRD schema
/// and CEL rules enforce, because the operator must stay safe on clusters (or stored objects)
/// where those did not run.
/// </summary>
public static partial class RemoteWorkloadValidator
{
    /// <summary>Validates <paramref name="workload"/>; an empty list means it can run.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(RemoteWorkload workload, ValidationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(workload);
        options ??= ValidationOptions.Strict;
        var problems = new List<ValidationProblem>();
        var spec = workload.Spec;
        if (spec is null)
        {
            problems.Add(Invalid("spec", "required"));
            return problems;
        }

        CheckName(problems, workload.Metadata?.Name);
        CheckUrl(problems, "spec.url", spec.Url, required: true, options);
        CheckOAuth(problems, spec.OAuth, options);
        CheckTokenSecret(problems, spec.TokenSecret, workload.Metadata?.Name);
        CheckRefresh(problems, spec.Refresh);
        CheckRetry(problems, spec.Retry, options.Defaults);
        return problems;
    }

    private static void CheckOAuth(List<ValidationProblem> problems, OAuthSpec? oauth, ValidationOptions options)
    {
        if (oauth is null)
        {
            problems.Add(Invalid("spec.oauth", "required"));
            return;
        }

        var hasIssuer = !string.IsNullOrEmpty(oauth.Issuer);
        var hasTokenUrl = !string.IsNullOrEmpty(oauth.TokenUrl);
        if (hasIssuer && hasTokenUrl)
        {
            problems.Add(Invalid("spec.oauth", "at most one of issuer or tokenUrl may be set; omit both to discover the authorization server from spec.url"));
        }

        if (!string.IsNullOrEmpty(oauth.AuthorizationServer) && (hasIssuer || hasTokenUrl))
        {
            problems.Add(Invalid("spec.oauth.authorizationServer", "is only used when issuer and tokenUrl are omitted"));
        }

        CheckUrl(problems, "spec.oauth.issuer", oauth.Issuer, required: false, options);
        CheckUrl(problems, "spec.oauth.tokenUrl", oauth.TokenUrl, required: false, options);
        CheckUrl(problems, "spec.oauth.authorizationServer", oauth.AuthorizationServer, required: false, options);

        switch (oauth.Grant)
        {
            case GrantTypes.RefreshToken:
                if (oauth.RefreshTokenSecretRef is null)
                {
                    problems.Add(Invalid("spec.oauth.refreshTokenSecretRef", "required when grant is RefreshToken"));
                }

                break;
            case GrantTypes.ClientCredentials:
                if (oauth.RefreshTokenSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.refreshTokenSecretRef", "must not be set when grant is ClientCredentials"));
                }

                break;
            case GrantTypes.TokenExchange:
                if (oauth.RefreshTokenSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.refreshTokenSecretRef", "must not be set when grant is TokenExchange"));
                }

                if (oauth.TokenExchange is null)
                {
                    problems.Add(Invalid("spec.oauth.tokenExchange", "required when grant is TokenExchange"));
                }
                else if (oauth.TokenExchange.SubjectTokenSecretRef is null && oauth.ServiceAccountToken is null)
                {
                    problems.Add(Invalid("spec.oauth.tokenExchange.subjectTokenSecretRef", "required unless spec.oauth.serviceAccountToken names the ServiceAccount whose token is the subject token"));
                }
                else if (oauth.TokenExchange.SubjectTokenSecretRef is null && oauth.ClientAuthentication == ClientAuthenticationMethods.ServiceAccountToken)
                {
                    problems.Add(Invalid("spec.oauth.tokenExchange.subjectTokenSecretRef", "required with clientAuthentication ServiceAccountToken (the ServiceAccount token is the client assertion, not the subject token)"));
                }

                break;
            case null or "":
                problems.Add(Invalid("spec.oauth.grant", "required: RefreshToken, ClientCredentials or TokenExchange"));
                break;
            default:
                problems.Add(Invalid("spec.oauth.grant", $"unsupported value \"{Printable(oauth.Grant)}\": supported values are RefreshToken, ClientCredentials, TokenExchange"));
                break;
        }

        if (string.IsNullOrWhiteSpace(oauth.ClientId))
        {
            problems.Add(Invalid("spec.oauth.clientId", "required"));
        }

        var authentication = oauth.ClientAuthentication ?? ClientAuthenticationMethods.ClientSecretBasic;
        switch (authentication)
        {
            case ClientAuthenticationMethods.ClientSecretBasic or ClientAuthenticationMethods.ClientSecretPost:
                if (oauth.ClientSecretRef is null)
                {
                    problems.Add(Invalid("spec.oauth.clientSecretRef", $"required when clientAuthentication is {authentication}; set clientAuthentication: None for a public client"));
                }

                break;
            case ClientAuthenticationMethods.None:
                if (oauth.ClientSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.clientSecretRef", "must not be set when clientAuthentication is None"));
                }

                break;
            case ClientAuthenticationMethods.PrivateKeyJwt:
                if (oauth.PrivateKeySecretRef is null)
                {
                    problems.Add(Invalid("spec.oauth.privateKeySecretRef", "required when clientAuthentication is PrivateKeyJwt"));
                }

                if (oauth.ClientSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.clientSecretRef", "must not be set when clientAuthentication is PrivateKeyJwt (the private key is the credential)"));
                }

                break;
            case ClientAuthenticationMethods.ServiceAccountToken:
                if (oauth.ServiceAccountToken is null)
                {
                    problems.Add(Invalid("spec.oauth.serviceAccountToken", "required when clientAuthentication is ServiceAccountToken"));
                }

                if (oauth.ClientSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.clientSecretRef", "must not be set when clientAuthentication is ServiceAccountToken (the ServiceAccount token is the credential)"));
                }

                break;
            case ClientAuthenticationMethods.TlsClientAuth or ClientAuthenticationMethods.SelfSignedTlsClientAuth:
                if (oauth.ClientCertificateSecretRef is null)
                {
                    problems.Add(Invalid("spec.oauth.clientCertificateSecretRef", $"required when clientAuthentication is {authentication}"));
                }

                if (oauth.ClientSecretRef is not null)
                {
                    problems.Add(Invalid("spec.oauth.clientSecretRef", $"must not be set when clientAuthentication is {authentication} (the client certificate is the credential)"));
                }

                break;
            default:
                problems.Add(Invalid("spec.oauth.clientAuthentication", $"unsupported value \"{Printable(authentication)}\": supported values are ClientSecretBasic, ClientSecretPost, None, PrivateKeyJwt, ServiceAccountToken, TlsClientAuth, SelfSignedTlsClientAuth"));
                break;
        }

        if (!ClientAuthenticationMethods.IsMutualTls(authentication))
        {
            if (oauth.ClientCertificateSecretRef is not null)
            {
                problems.Add(Invalid("spec.oauth.clientCertificateSecretRef", "only used when clientAuthentication is TlsClientAuth or SelfSignedTlsClientAuth"));
            }

            if (oauth.ClientCertificateRenewBefore is not null)
            {
                problems.Add(Invalid("spec.oauth.clientCertificateRenewBefore", "only used with clientCertificateSecretRef"));
            }
        }

        if (oauth.ClientCertificateSecretRef is { } certificate && (string.IsNullOrEmpty(certificate.Name) || certificate.Name.Length > 253 || !DnsSubdomain().IsMatch(certificate.Name)))
        {
            problems.Add(Invalid("spec.oauth.clientCertificateSecretRef.name", "must be a valid Secret name (lower-case DNS subdomain)"));
        }

        CheckBounded(problems, "spec.oauth.clientCertificateRenewBefore", oauth.ClientCertificateRenewBefore, OAuthSpec.MaxClientCertificateRenewBefore);

        if (oauth.ServiceAccountToken is { } serviceAccountToken)
        {
            var subjectFromServiceAccount = oauth.Grant == GrantTypes.TokenExchange && oauth.TokenExchange is { SubjectTokenSecretRef: null };
            if (authentication != ClientAuthenticationMethods.ServiceAccountToken && !subjectFromServiceAccount)
            {
                problems.Add(Invalid("spec.oauth.serviceAccountToken", "only used when clientAuthentication is ServiceAccountToken or as the subject token of grant TokenExchange (without tokenExchange.subjectTokenSecretRef)"));
            }

            CheckServiceAccountToken(problems, "spec.oauth.serviceAccountToken", serviceAccountToken);
        }

        if (authentication != ClientAuthenticationMethods.PrivateKeyJwt)
        {
            // Silently ignoring them would let a half-finished migration look configured.
            if (oauth.PrivateKeySecretRef is not null)
            {
                problems.Add(Invalid("spec.oauth.privateKeySecretRef", "only used when clientAuthentication is PrivateKeyJwt"));
            }

            if (oauth.KeyId is not null)
            {
                problems.Add(Invalid("spec.oauth.keyId", "only used when clientAuthentication is PrivateKeyJwt"));
            }

            if (oauth.Algorithm is not null)
            {
                problems.Add(Invalid("spec.oauth.algorithm", "only used when clientAuthentication is PrivateKeyJwt"));
            }

            if (oauth.AssertionAudience is not null)
            {
                problems.Add(Invalid("spec.oauth.assertionAudience", "only used when clientAuthentication is PrivateKeyJwt"));
            }
        }

        if (oauth.KeyId is not null && (oauth.KeyId.Length is 0 or > 256 || oauth.KeyId.Any(char.IsControl)))
        {
            problems.Add(Invalid("spec.oauth.keyId", "must be 1 to 256 characters without control characters"));
        }

        if (oauth.Algorithm is not null && oauth.Algorithm is not (SigningAlgorithms.RS256 or SigningAlgorithms.PS256 or SigningAlgorithms.ES256))
        {
            problems.Add(Invalid("spec.oauth.algorithm", $"unsupported value \"{Printable(oauth.Algorithm)}\": supported values are RS256, PS256, ES256"));
        }

        switch (oauth.AssertionAudience)
        {
            case null or AssertionAudiences.TokenEndpoint:
                break;
            case AssertionAudiences.Issuer:
                if (!string.IsNullOrEmpty(oauth.TokenUrl))
                {
                    problems.Add(Invalid("spec.oauth.assertionAudience", "Issuer needs the issuer from discovery: set issuer (or discover from spec.url) instead of tokenUrl"));
                }

                break;
            default:
                problems.Add(Invalid("spec.oauth.assertionAudience", $"unsupported value \"{Printable(oauth.AssertionAudience)}\": supported values are TokenEndpoint, Issuer"));
                break;
        }

        if (oauth.TokenExchange is { } exchange)
        {
            if (oauth.Grant != GrantTypes.TokenExchange)
            {
                problems.Add(Invalid("spec.oauth.tokenExchange", "only used when grant is TokenExchange"));
            }

            CheckSecretRef(problems, "spec.oauth.tokenExchange.subjectTokenSecretRef", exchange.SubjectTokenSecretRef);
            CheckTokenExchangeText(problems, "spec.oauth.tokenExchange.subjectTokenType", exchange.SubjectTokenType, 256);
            CheckTokenExchangeText(problems, "spec.oauth.tokenExchange.requestedTokenType", exchange.RequestedTokenType, 256);
            CheckTokenExchangeText(problems, "spec.oauth.tokenExchange.audience", exchange.Audience, 1024);
        }

        CheckSecretRef(problems, "spec.oauth.clientSecretRef", oauth.ClientSecretRef);
        CheckSecretRef(problems, "spec.oauth.privateKeySecretRef", oauth.PrivateKeySecretRef);
        CheckSecretRef(problems, "spec.oauth.refreshTokenSecretRef", oauth.RefreshTokenSecretRef);

        if (oauth.Scopes is not null)
        {
            for (var i = 0; i < oauth.Scopes.Count; i++)
            {
                var scope = oauth.Scopes[i];
                if (string.IsNullOrEmpty(scope) || scope.Any(c => c <= ' ' || c == '"' || c == '\\' || c > '~'))
                {
                    problems.Add(Invalid($"spec.oauth.scopes[{i}]", "must be a non-empty RFC 6749 scope token (printable ASCII, no spaces, quotes or backslashes)"));
                }
            }
        }

        if (oauth.Resource is not null
            && (!Uri.TryCreate(oauth.Resource, UriKind.Absolute, out var resource) || !string.IsNullOrEmpty(resource.Fragment)))
        {
            problems.Add(Invalid("spec.oauth.resource", "must be an absolute URI without a fragment (RFC 8707)"));
        }
    }

    private static void CheckTokenExchangeText(List<ValidationProblem> problems, string field, string? value, int maxLength)
    {
        if (value is not null && (value.Length is 0 || value.Length > maxLength || value.Any(char.IsControl) || value.Contains(' ', StringComparison.Ordinal)))
        {
            problems.Add(Invalid(field, $"must be 1 to {maxLength} characters without spaces or control characters"));
        }
    }

    private static void CheckServiceAccountToken(List<ValidationProblem> problems, string field, ServiceAccountTokenSpec spec)
    {
        // Only a name: a namespace, or a "namespace/name" or "system:serviceaccount:…" form, would reach another
        // namespace's identity, and none of them is a valid ServiceAccount name.
        if (string.IsNullOrEmpty(spec.Name))
        {
            problems.Add(Invalid(field + ".name", "required"));
        }
        else if (spec.Name.Length > 253 || !DnsSubdomain().IsMatch(spec.Name))
        {
            problems.Add(Invalid(field + ".name", $"\"{Printable(spec.Name)}\" is not a ServiceAccount name (lower-case DNS subdomain); only a ServiceAccount of the workload's own namespace can be used"));
        }

        if (string.IsNullOrWhiteSpace(spec.Audience))
        {
            problems.Add(Invalid(field + ".audience", "required: the audience the IdP expects of the token"));
        }
        else if (spec.Audience.Length > 1024 || spec.Audience.Any(char.IsControl))
        {
            problems.Add(Invalid(field + ".audience", "must be at most 1024 characters without control characters"));
        }

        if (spec.ExpirationSeconds is { } seconds && seconds is < ServiceAccountTokenSpec.MinExpirationSeconds or > ServiceAccountTokenSpec.MaxExpirationSeconds)
        {
            problems.Add(Invalid(field + ".expirationSeconds", $"must be between {ServiceAccountTokenSpec.MinExpirationSeconds} and {ServiceAccountTokenSpec.MaxExpirationSeconds}"));
        }
    }

    private static void CheckSecretRef(List<ValidationProblem> problems, string field, SecretKeyReference? reference)
    {
        if (reference is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(reference.Name))
        {
            problems.Add(Invalid(field + ".name", "required"));
        }
        else if (reference.Name.Length > 253 || !DnsSubdomain().IsMatch(reference.Name))
        {
            problems.Add(Invalid(field + ".name", "must be a valid Secret name (lower-case DNS subdomain)"));
        }

        if (string.IsNullOrEmpty(reference.Key))
        {
            problems.Add(Invalid(field + ".key", "required"));
        }
        else if (reference.Key.Length > 253 || !SecretKey().IsMatch(reference.Key))
        {
            problems.Add(Invalid(field + ".key", "must consist of alphanumerics, '-', '_' or '.'"));
        }
    }

    /// <summary>The operator names Secrets after the workload, so the name must leave room for the longest suffix.</summary>
    private static void CheckName(List<ValidationProblem> problems, string? name)
    {
        if (name is not null && name.Length + WorkloadSecretNames.StateSuffix.Length > 253)
        {
            problems.Add(Invalid("metadata.name", $"must be at most {253 - WorkloadSecretNames.StateSuffix.Length} characters, so the operator's Secret <name>{WorkloadSecretNames.StateSuffix} has a valid name"));
        }
    }

    private static void CheckTokenSecret(List<ValidationProblem> problems, TokenSecretSpec? tokenSecret, string? workloadName)
    {
        if (tokenSecret is null)
        {
            return;
        }

        if (workloadName is not null && tokenSecret.Name == WorkloadSecretNames.State(workloadName))
        {
            // Consumers mount the token Secret; the state Secret holds the rotated refresh token. They must never meet.
            problems.Add(Invalid("spec.tokenSecret.name", $"must not be {WorkloadSecretNames.State(workloadName)}: that name is the operator's private state Secret of this workload"));
        }

        if (tokenSecret.Name is not null && (tokenSecret.Name.Length is 0 or > 253 || !DnsSubdomain().IsMatch(tokenSecret.Name)))
        {
            problems.Add(Invalid("spec.tokenSecret.name", "must be a valid Secret name (lower-case DNS subdomain)"));
        }

        if (tokenSecret.Ownership is not null and not SecretOwnership.Owner and not SecretOwnership.Retain)
        {
            problems.Add(Invalid("spec.tokenSecret.ownership", $"unsupported value \"{Printable(tokenSecret.Ownership)}\": supported values are Owner, Retain"));
        }
    }

    private static void CheckRefresh(List<ValidationProblem> problems, RefreshSpec? refresh)
    {
        if (refresh is null)
        {
            return;
        }

        CheckBounded(problems, "spec.refresh.beforeExpiry", refresh.BeforeExpiry, RetryBounds.MaximumInterval);
        if (refresh.LifetimeFraction is { } fraction && !(fraction > 0 && fraction < 1))
        {
            problems.Add(Invalid("spec.refresh.lifetimeFraction", "must be greater than 0 and less than 1"));
        }
    }

    private static void CheckRetry(List<ValidationProblem> problems, RetrySpec? retry, RetryPolicy defaults)
    {
        var initial = CheckBounded(problems, "spec.retry.initialInterval", retry?.InitialInterval, RetryBounds.MaximumInterval);
        var max = CheckBounded(problems, "spec.retry.maxInterval", retry?.MaxInterval, RetryBounds.MaximumInterval);
        CheckBounded(problems, "spec.retry.maxElapsed", retry?.MaxElapsed, RetryBounds.MaximumInterval);
        var tick = CheckBounded(problems, "spec.retry.tickInterval", retry?.TickInterval, RetryBounds.MaximumInterval);
        var ceiling = CheckBounded(problems, "spec.retry.ceiling", retry?.Ceiling, RetryBounds.MaximumCeiling);

        if (retry?.MaxAttempts is < 1)
        {
            problems.Add(Invalid("spec.retry.maxAttempts", "must be at least 1"));
        }
        else if (retry?.MaxAttempts is > RetryBounds.MaximumAttempts)
        {
            problems.Add(Invalid("spec.retry.maxAttempts", $"must be at most {RetryBounds.MaximumAttempts}"));
        }

        foreach (var (field, value) in new[] { ("spec.retry.initialInterval", initial), ("spec.retry.maxInterval", max) })
        {
            if (value < RetryBounds.MinimumShortRetryInterval)
            {
                problems.Add(Invalid(field, $"must be at least {KubeDuration.Format(RetryBounds.MinimumShortRetryInterval)}"));
            }
        }

        CheckProbeInterval(problems, retry?.ProbeInterval);

        // Cross-field rules apply to effective values, but only blame a field the user wrote.
        if ((initial ?? defaults.InitialInterval) > (max ?? defaults.MaxInterval) && (initial is not null || max is not null))
        {
            problems.Add(Invalid(initial is not null ? "spec.retry.initialInterval" : "spec.retry.maxInterval",
                $"initialInterval ({KubeDuration.Format(initial ?? defaults.InitialInterval)}) must not exceed maxInterval ({KubeDuration.Format(max ?? defaults.MaxInterval)})"));
        }

        if (tick is not null && tick < RetryBounds.MinimumTickInterval)
        {
            problems.Add(Invalid("spec.retry.tickInterval", $"must be at least {KubeDuration.Format(RetryBounds.MinimumTickInterval)}"));
        }

        if ((tick ?? defaults.TickInterval) > (ceiling ?? defaults.Ceiling) && (tick is not null || ceiling is not null))
        {
            problems.Add(Invalid(tick is not null ? "spec.retry.tickInterval" : "spec.retry.ceiling",
                $"tickInterval ({KubeDuration.Format(tick ?? defaults.TickInterval)}) must not exceed ceiling ({KubeDuration.Format(ceiling ?? defaults.Ceiling)})"));
        }
    }

    /// <summary><c>spec.retry.probeInterval</c>: 0 turns probing off; otherwise from the minimum to the maximum interval.</summary>
    private static void CheckProbeInterval(List<ValidationProblem> problems, KubeDuration? probe)
    {
        const string field = "spec.retry.probeInterval";
        if (probe is null)
        {
            return;
        }

        if (probe.Value is not { } value)
        {
            problems.Add(Invalid(field, $"invalid duration \"{Printable(probe.Text)}\": use Go syntax such as 90s, 10m or 1h30m"));
        }
        else if (value != TimeSpan.Zero && (value < RetryBounds.MinimumProbeInterval || value > RetryBounds.MaximumInterval))
        {
            problems.Add(Invalid(field, $"must be 0 (off) or from {KubeDuration.Format(RetryBounds.MinimumProbeInterval)} to {KubeDuration.Format(RetryBounds.MaximumInterval)}, got \"{Printable(probe.Text)}\""));
        }
    }

    /// <summary>Like <see cref="CheckPositiveDuration"/>, and refuses a value over <paramref name="maximum"/>.</summary>
    private static TimeSpan? CheckBounded(List<ValidationProblem> problems, string field, KubeDuration? duration, TimeSpan maximum)
    {
        var value = CheckPositiveDuration(problems, field, duration);
        if (value > maximum)
        {
            problems.Add(Invalid(field, $"must be at most {KubeDuration.Format(maximum)}"));
            return null;
        }

        return value;
    }

    /// <summary>Reports a malformed or non-positive duration; returns its value when it is usable.</summary>
    private static TimeSpan? CheckPositiveDuration(List<ValidationProblem> problems, string field, KubeDuration? duration)
    {
        if (duration is null)
        {
            return null;
        }

        if (duration.Value is not { } value)
        {
            problems.Add(Invalid(field, $"invalid duration \"{Printable(duration.Text)}\": use Go syntax such as 90s, 10m or 1h30m"));
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            problems.Add(Invalid(field, $"must be positive, got \"{Printable(duration.Text)}\""));
            return null;
        }

        return value;
    }

    private static void CheckUrl(List<ValidationProblem> problems, string field, string? text, bool required, ValidationOptions options)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                problems.Add(Invalid(field, "required"));
            }

            return;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problems.Add(Invalid(field, "must be an absolute URL such as https://idp.example.com"));
            return;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !options.AllowInsecureEndpoints)
        {
            problems.Add(Invalid(field, "must use https:// (http:// is accepted only when the operator runs with --allow-insecure-endpoints)"));
        }
        else if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            problems.Add(Invalid(field, $"must use https://, not {uri.Scheme}://"));
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Credentials in a URL would end up in status, events and logs.
            problems.Add(Invalid(field, "must not contain user info (credentials belong in a Secret)"));
        }

        if (!options.AllowPrivateEndpoints && EndpointGuard.WhyNotAllowed(uri.Host, options.ApiServerHosts) is { } why)
        {
            problems.Add(new ValidationProblem(field, $"{why}; such endpoints are refused unless the operator runs with --allow-private-endpoints", Reasons.EndpointNotAllowed));
        }
    }

    /// <summary>Keeps user-supplied values short and on one line in messages.</summary>
    private static string Printable(string value)
    {
        var oneLine = new string(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return oneLine.Length <= 64 ? oneLine : oneLine[..61] + "...";
    }

    private static ValidationProblem Invalid(string field, string message) => new(field, message, Reasons.InvalidSpec);

    [GeneratedRegex(SchemaPatterns.DnsSubdomain)]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(SchemaPatterns.SecretKey)]
    private static partial Regex SecretKey();
}
