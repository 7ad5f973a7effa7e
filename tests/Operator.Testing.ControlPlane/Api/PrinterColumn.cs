namespace RemoteWorkloadOperator.Testing.ControlPlane.Api;

/// <summary>A Table column: a CRD additionalPrinterColumn, or a built-in column with a cell function.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description = "", int Priority = 0, string Format = "");
