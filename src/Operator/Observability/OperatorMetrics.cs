using Prometheus;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Entities;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Observability;

/// <summary>
/// The operator's Prometheus metrics. Counters are updated as things happen; per-workload gauges
/// are computed from the informer cache at scrape time, so a deleted workload's series vanish
/// with it instead of lingering at their last value.
/// </summary>
public sealed class OperatorMetrics
{
    private readonly Counter _tokenRequests;
    private readonly Histogram _tokenRequestDuration;
    private readonly Histogram _idpRateLimitWait;
    private readonly Counter _transitions;
    private readonly Gauge _workloadsByPhase;
    private readonly Gauge _tokenExpiry;
    private readonly Gauge _retryStarted;
    private readonly Gauge _retryDeadline;
    private readonly Gauge _queueDepth;
    private readonly Gauge _reconcileErrors;
    private readonly Gauge _watchRestarts;
    private readonly Gauge _leader;
    private readonly Lock _scrapeGate = new();
    private HashSet<string[]> _workloadSeries = new(LabelsComparer.Instance);

    public OperatorMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _tokenRequests = factory.CreateCounter("remoteworkload_token_requests_total", "Token requests by outcome (success, transient, permanent) and reason.", "outcome", "reason");
        _tokenRequestDuration = factory.CreateHistogram("remoteworkload_token_request_duration_seconds", "Duration of token requests, including discovery.", new HistogramConfiguration
        {
            LabelNames = ["outcome"],
            Buckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });
        _idpRateLimitWait = factory.CreateHistogram("remoteworkload_idp_rate_limit_wait_seconds", "Time requests to an IdP host waited for the process-wide rate limit (--idp-requests-per-second); only requests that waited.", new HistogramConfiguration
        {
            LabelNames = ["host"],
            Buckets = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30],
        });
        _transitions = factory.CreateCounter("remoteworkload_phase_transitions_total", "Status writes that changed the phase, by from and to phase.", "from", "to");
        _workloadsByPhase = factory.CreateGauge("remoteworkload_workloads", "Workloads by phase, from the informer cache at scrape time.", "phase");
        _tokenExpiry = factory.CreateGauge("remoteworkload_token_expiry_timestamp_seconds", "When the published access token expires (Unix seconds).", "namespace", "name");
        _retryStarted = factory.CreateGauge("remoteworkload_auth_retrying_started_timestamp_seconds", "When AuthRetrying began (Unix seconds), while AuthRetrying.", "namespace", "name");
        _retryDeadline = factory.CreateGauge("remoteworkload_auth_retrying_deadline_timestamp_seconds", "When AuthRetrying gives up (Unix seconds), while AuthRetrying.", "namespace", "name");
        _queueDepth = factory.CreateGauge("remoteworkload_work_queue_depth", "Workload keys waiting in the work queue.");
        _reconcileErrors = factory.CreateGauge("remoteworkload_reconcile_errors", "Reconciles that failed with an error since this replica started leading.");
        _watchRestarts = factory.CreateGauge("remoteworkload_watch_restarts", "Watches re-established after an error or a 410 since this replica started leading.");
        _leader = factory.CreateGauge("remoteworkload_leader", "1 while this replica leads, else 0.");
    }

    /// <summary>Counts one token request.</summary>
    public void TokenRequest(string outcome, string reason, TimeSpan duration)
    {
        _tokenRequests.WithLabels(outcome, reason).Inc();
        _tokenRequestDuration.WithLabels(outcome).Observe(duration.TotalSeconds);
    }

    /// <summary>Records a request that waited <paramref name="waited"/> for the rate limit of <paramref name="host"/>.</summary>
    public void IdpRateLimitWait(string host, TimeSpan waited) => _idpRateLimitWait.WithLabels(host).Observe(waited.TotalSeconds);

    /// <summary>Counts a status write whose phase differs from the previous one.</summary>
    public void Transition(WorkloadPhase? from, WorkloadPhase to)
    {
        if (from != to)
        {
            _transitions.WithLabels(from?.ToString() ?? "None", to.ToString()).Inc();
        }
    }

    /// <summary>Refreshes the scrape-time gauges; registered as a before-collect callback.</summary>
    public void Collect(WorkloadController controller, LeadershipLoop leadership)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(leadership);
        lock (_scrapeGate)
        {
            _leader.Set(leadership.IsLeader ? 1 : 0);
            _queueDepth.Set(controller.QueueDepth);
            _reconcileErrors.Set(controller.ReconcileErrors);
            _watchRestarts.Set(controller.WatchRestarts);

            var counts = Enum.GetValues<WorkloadPhase>().ToDictionary(p => p, _ => 0);
            var seen = new HashSet<string[]>(LabelsComparer.Instance);
            foreach (var workload in controller.Workloads)
            {
                var status = workload.Status;
                counts[status?.Phase ?? WorkloadPhase.Pending]++;
                string[] labels = [workload.Metadata.NamespaceProperty, workload.Metadata.Name];
                seen.Add(labels);
                SetOrRemove(_tokenExpiry, labels, status?.Token?.ExpiresAt);
                var retrying = status?.Phase == WorkloadPhase.AuthRetrying;
                SetOrRemove(_retryStarted, labels, retrying ? status!.AuthRetry?.StartedAt : null);
                SetOrRemove(_retryDeadline, labels, retrying ? status!.AuthRetry?.Deadline : null);
            }

            foreach (var (phase, count) in counts)
            {
                _workloadsByPhase.WithLabels(phase.ToString()).Set(count);
            }

            foreach (var gone in _workloadSeries.Where(labels => !seen.Contains(labels)))
            {
                _tokenExpiry.RemoveLabelled(gone);
                _retryStarted.RemoveLabelled(gone);
                _retryDeadline.RemoveLabelled(gone);
            }

            _workloadSeries = seen;
        }
    }

    private static void SetOrRemove(Gauge gauge, string[] labels, DateTime? time)
    {
        if (time is { } t)
        {
            gauge.WithLabels(labels).Set(new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)).ToUnixTimeSeconds());
        }
        else
        {
            gauge.RemoveLabelled(labels);
        }
    }

    private sealed class LabelsComparer : IEqualityComparer<string[]>
    {
        public static LabelsComparer Instance { get; } = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj) => HashCode.Combine(obj[0], obj[1]);
    }
}
