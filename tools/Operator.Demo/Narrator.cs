namespace RemoteWorkloadOperator.Demo;

/// <summary>Prints the demo's story: numbered steps, observations, and the phases seen.</summary>
internal sealed class Narrator(TextWriter output)
{
    private int _step;

    public void Step(string text) => output.WriteLine($"\n[{++_step}] {text}");

    public void Say(string text) => output.WriteLine($"    {text}");

    /// <summary>A machine-readable line the demo test reads: one per observed phase change.</summary>
    public void Phase(string workload, string phase, string? reason) =>
        output.WriteLine($"    PHASE {workload} {phase} ({reason})");
}
