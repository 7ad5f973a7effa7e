namespace RemoteWorkloadOperator.Entities.Validation;

/// <summary>One reason a workload cannot work as written, with the field it concerns.</summary>
/// <param name="Field">Field path such as <c>spec.retry.tickInterval</c>.</param>
/// <param name="Message">What is wrong and, where useful, how to fix it.</param>
/// <param name="Reason"><see cref="Reasons.InvalidSpec"/> or <see cref="Reasons.EndpointNotAllowed"/>.</param>
public sealed record ValidationProblem(string Field, string Message, string Reason)
{
    public override string ToString() => $"{Field}: {Message}";
}
