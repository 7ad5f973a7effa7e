using Microsoft.Extensions.Hosting;
using RemoteWorkloadOperator.Controller;
using RemoteWorkloadOperator.Runtime;

namespace RemoteWorkloadOperator.Hosting;

/// <summary>The hosted service: competes for leadership and runs the controller while leading.</summary>
public sealed class OperatorService(LeadershipLoop leadership, WorkloadController controller) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leadership.RunAsync(controller.RunAsync, stoppingToken);
}
