namespace RemoteWorkloadOperator.Cluster;

/// <summary>
/// Why a workload may not use a refresh-token key: another workload (<paramref name="Holder"/>) uses it, or
/// (<paramref name="Rotated"/>) already rotated the token the key holds, which is therefore spent.
/// </summary>
public sealed record ClaimRefusal(string Holder, bool Rotated);
