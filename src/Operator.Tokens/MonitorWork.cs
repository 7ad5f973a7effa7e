namespace RemoteWorkloadOperator.Tokens;

/// <summary>What a monitor does when its timer fires or a trigger arrives.</summary>
public enum MonitorWork : byte
{
    /// <summary>Nothing is scheduled.</summary>
    None,

    /// <summary>A first attempt (or one after a trigger), with a fresh short retry.</summary>
    Initial,

    /// <summary>A scheduled refresh in Running, with a short retry.</summary>
    Refresh,

    /// <summary>One AuthRetrying attempt, no short retry.</summary>
    Tick,

    /// <summary>One slow probe after the ceiling (Unauthenticated, <c>CeilingExceeded</c>), no short retry.</summary>
    Probe,
}

/// <summary>The work a monitor's timer is armed for (<see cref="MonitorWork.None"/> = disarmed).</summary>
internal readonly record struct ScheduledWork(MonitorWork Work, DateTimeOffset At)
{
    /// <summary>Nothing scheduled.</summary>
    public static ScheduledWork None => default;
}
