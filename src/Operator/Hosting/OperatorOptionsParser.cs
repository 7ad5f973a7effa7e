using System.Globalization;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Entities.Validation;
using RemoteWorkloadOperator.Tokens;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>
/// Reads <see cref="OperatorOptions"/> from command-line flags and environment variables. Every
/// bad value is reported with the name of the flag or variable that carried it; nothing falls
/// back silently to a default.
/// </summary>
public static class OperatorOptionsParser
{
    /// <summary>Environment variables of the retry defaults (docs/configuration.md).</summary>
    public static class Variables
    {
        public const string InitialInterval = "RW_RETRY_INITIAL_INTERVAL";
        public const string MaxInterval = "RW_RETRY_MAX_INTERVAL";
        public const string MaxAttempts = "RW_RETRY_MAX_ATTEMPTS";
        public const string MaxElapsed = "RW_RETRY_MAX_ELAPSED";
        public const string TickInterval = "RW_AUTH_RETRYING_TICK_INTERVAL";
        public const string Ceiling = "RW_AUTH_RETRYING_CEILING";
        public const string ProbeInterval = "RW_AUTH_RETRYING_PROBE_INTERVAL";
        public const string WatchNamespaces = "RW_WATCH_NAMESPACES";
        public const string IdpRequestsPerSecond = "RW_IDP_REQUESTS_PER_SECOND";
        public const string PodNamespace = "POD_NAMESPACE";
        public const string PodName = "POD_NAME";
    }

    /// <summary>What <c>--min-refresh-interval</c> accepts: a floor of at least a second, never more than an hour.</summary>
    private static readonly (TimeSpan Min, TimeSpan Max) MinimumRefreshIntervalRange = (TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

    private static readonly HashSet<string> BooleanFlags = ["leader-elect", "allow-insecure-endpoints", "allow-private-endpoints", "idp-proxy-from-env"];

    private static readonly HashSet<string> ValueFlags =
    [
        "watch-namespaces", "leader-election-id", "leader-election-namespace", "lease-duration", "renew-deadline", "retry-period",
        "health-addr", "log-format", "workers", "kubeconfig", "identity", "startup-spread", "idp-requests-per-second", "auth-retrying-probe-interval", "min-refresh-interval", "secret-propagation-delay", "startup-rate", "state-secret-retention",
    ];

    /// <summary>Parses; returns the options, or every problem found.</summary>
    public static (OperatorOptions? Options, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new List<string>();
        var flags = ParseFlags(args, errors);

        string? Env(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
        string? Flag(string name) => flags.TryGetValue(name, out var value) ? value : null;

        var defaults = RetryPolicy.Default;
        var retry = defaults with
        {
            InitialInterval = Duration(Variables.InitialInterval, Env(Variables.InitialInterval), defaults.InitialInterval, errors),
            MaxInterval = Duration(Variables.MaxInterval, Env(Variables.MaxInterval), defaults.MaxInterval, errors),
            MaxAttempts = Integer(Variables.MaxAttempts, Env(Variables.MaxAttempts), defaults.MaxAttempts, 1, RetryBounds.MaximumAttempts, errors),
            MaxElapsed = Duration(Variables.MaxElapsed, Env(Variables.MaxElapsed), defaults.MaxElapsed, errors),
            TickInterval = Duration(Variables.TickInterval, Env(Variables.TickInterval), defaults.TickInterval, errors),
            Ceiling = Duration(Variables.Ceiling, Env(Variables.Ceiling), defaults.Ceiling, errors),
            ProbeInterval = Flag("auth-retrying-probe-interval") is { } probeFlag
                ? Duration("--auth-retrying-probe-interval", probeFlag, defaults.ProbeInterval, errors, allowZero: true)
                : Duration(Variables.ProbeInterval, Env(Variables.ProbeInterval), defaults.ProbeInterval, errors, allowZero: true),
        };
        if (retry.ProbeInterval != TimeSpan.Zero && (retry.ProbeInterval < RetryBounds.MinimumProbeInterval || retry.ProbeInterval > RetryBounds.MaximumInterval))
        {
            var name = Flag("auth-retrying-probe-interval") is null ? Variables.ProbeInterval : "--auth-retrying-probe-interval";
            errors.Add($"{name}: must be 0 (off) or from {KubeDuration.Format(RetryBounds.MinimumProbeInterval)} to {KubeDuration.Format(RetryBounds.MaximumInterval)}");
        }

        if (retry.InitialInterval > retry.MaxInterval)
        {
            errors.Add($"{Variables.InitialInterval} ({KubeDuration.Format(retry.InitialInterval)}) must not exceed {Variables.MaxInterval} ({KubeDuration.Format(retry.MaxInterval)})");
        }

        foreach (var (variable, value) in new[] { (Variables.InitialInterval, retry.InitialInterval), (Variables.MaxInterval, retry.MaxInterval) })
        {
            if (value < RetryBounds.MinimumShortRetryInterval)
            {
                errors.Add($"{variable}: must be at least {KubeDuration.Format(RetryBounds.MinimumShortRetryInterval)}");
            }
        }

        if (retry.TickInterval < RetryBounds.MinimumTickInterval)
        {
            errors.Add($"{Variables.TickInterval}: must be at least {KubeDuration.Format(RetryBounds.MinimumTickInterval)}");
        }

        foreach (var (variable, value) in new[] { (Variables.InitialInterval, retry.InitialInterval), (Variables.MaxInterval, retry.MaxInterval), (Variables.MaxElapsed, retry.MaxElapsed), (Variables.TickInterval, retry.TickInterval) })
        {
            if (value > RetryBounds.MaximumInterval)
            {
                errors.Add($"{variable}: must be at most {KubeDuration.Format(RetryBounds.MaximumInterval)}");
            }
        }

        if (retry.Ceiling > RetryBounds.MaximumCeiling)
        {
            errors.Add($"{Variables.Ceiling}: must be at most {KubeDuration.Format(RetryBounds.MaximumCeiling)}");
        }

        if (retry.TickInterval > retry.Ceiling)
        {
            errors.Add($"{Variables.TickInterval} ({KubeDuration.Format(retry.TickInterval)}) must not exceed {Variables.Ceiling} ({KubeDuration.Format(retry.Ceiling)})");
        }

        var namespaces = (Flag("watch-namespaces") ?? Env(Variables.WatchNamespaces) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var logFormat = Flag("log-format") ?? "json";
        if (logFormat is not ("json" or "console"))
        {
            errors.Add($"--log-format: must be json or console, got \"{logFormat}\"");
        }

        var healthAddress = Flag("health-addr") ?? "0.0.0.0:8080";
        if (!TryParseAddress(healthAddress, out _, out _))
        {
            errors.Add($"--health-addr: must be host:port, got \"{healthAddress}\"");
        }

        var options = new OperatorOptions
        {
            Retry = retry,
            WatchNamespaces = namespaces,
            LeaderElection = Boolean("--leader-elect", Flag("leader-elect"), true, errors),
            LeaseName = Flag("leader-election-id") ?? "remoteworkload-operator",
            LeaseNamespace = Flag("leader-election-namespace") ?? Env(Variables.PodNamespace) ?? "remoteworkload-system",
            LeaseDuration = Duration("--lease-duration", Flag("lease-duration"), TimeSpan.FromSeconds(15), errors),
            RenewDeadline = Duration("--renew-deadline", Flag("renew-deadline"), TimeSpan.FromSeconds(10), errors),
            RetryPeriod = Duration("--retry-period", Flag("retry-period"), TimeSpan.FromSeconds(2), errors),
            Identity = Flag("identity") ?? Env(Variables.PodName) ?? Environment.MachineName,
            HealthAddress = healthAddress,
            LogFormat = logFormat,
            AllowInsecureEndpoints = Boolean("--allow-insecure-endpoints", Flag("allow-insecure-endpoints"), false, errors),
            AllowPrivateEndpoints = Boolean("--allow-private-endpoints", Flag("allow-private-endpoints"), false, errors),
            IdpProxyFromEnvironment = Boolean("--idp-proxy-from-env", Flag("idp-proxy-from-env"), false, errors),
            Workers = Integer("--workers", Flag("workers"), 4, 1, 64, errors),
            IdpRequestsPerSecond = Flag("idp-requests-per-second") is { } perSecond
                ? Integer("--idp-requests-per-second", perSecond, Tokens.IdpRateLimiter.DefaultRequestsPerSecond, 1, 10_000, errors)
                : Integer(Variables.IdpRequestsPerSecond, Env(Variables.IdpRequestsPerSecond), Tokens.IdpRateLimiter.DefaultRequestsPerSecond, 1, 10_000, errors),
            StartupSpread = Duration("--startup-spread", Flag("startup-spread"), TimeSpan.FromSeconds(5), errors, allowZero: true),
            MinimumRefreshInterval = Duration("--min-refresh-interval", Flag("min-refresh-interval"), MonitorTiming.DefaultMinimumRefreshInterval, errors),
            PropagationDelay = Duration("--secret-propagation-delay", Flag("secret-propagation-delay"), MonitorTiming.DefaultPropagationDelay, errors, allowZero: true),
            StartupRate = Integer("--startup-rate", Flag("startup-rate"), 20, 1, 10_000, errors),
            StateSecretRetention = Duration("--state-secret-retention", Flag("state-secret-retention"), TimeSpan.FromDays(7), errors),
            Kubeconfig = Flag("kubeconfig"),
        };

        if (options.MinimumRefreshInterval < MinimumRefreshIntervalRange.Min || options.MinimumRefreshInterval > MinimumRefreshIntervalRange.Max)
        {
            errors.Add($"--min-refresh-interval: must be from {KubeDuration.Format(MinimumRefreshIntervalRange.Min)} to {KubeDuration.Format(MinimumRefreshIntervalRange.Max)}");
        }

        if (options.PropagationDelay > RetryBounds.MaximumInterval)
        {
            errors.Add($"--secret-propagation-delay: must be at most {KubeDuration.Format(RetryBounds.MaximumInterval)}");
        }

        if (options.RenewDeadline >= options.LeaseDuration)
        {
            errors.Add("--renew-deadline must be shorter than --lease-duration");
        }

        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    /// <summary>Splits host:port (":8080" means all interfaces).</summary>
    public static bool TryParseAddress(string address, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }

        host = colon == 0 ? "0.0.0.0" : address[..colon].Trim('[', ']');
        return true;
    }

    private static Dictionary<string, string> ParseFlags(IReadOnlyList<string> args, List<string> errors)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument \"{arg}\": flags look like --name=value");
                continue;
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? body : body[..equals];
            if (BooleanFlags.Contains(name))
            {
                flags[name] = equals < 0 ? "true" : body[(equals + 1)..];
            }
            else if (ValueFlags.Contains(name))
            {
                if (equals >= 0)
                {
                    flags[name] = body[(equals + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    flags[name] = args[++i];
                }
                else
                {
                    errors.Add($"--{name}: needs a value");
                }
            }
            else
            {
                errors.Add($"--{name}: unknown flag");
            }
        }

        return flags;
    }

    private static TimeSpan Duration(string name, string? text, TimeSpan fallback, List<string> errors, bool allowZero = false)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!KubeDuration.TryParse(text, out var value) || value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero))
        {
            errors.Add($"{name}: invalid duration \"{text}\": use a positive Go duration such as 90s, 10m or 1h30m");
            return fallback;
        }

        return value;
    }

    private static int Integer(string name, string? text, int fallback, int min, int max, List<string> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add($"{name}: must be a whole number from {min} to {max}, got \"{text}\"");
            return fallback;
        }

        return value;
    }

    private static bool Boolean(string name, string? text, bool fallback, List<string> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!bool.TryParse(text, out var value))
        {
            errors.Add($"{name}: must be true or false, got \"{text}\"");
            return fallback;
        }

        return value;
    }
}
