using RemoteWorkloadOperator.Entities.Crd;

// `make manifests`: writes the CRD generated from the C# API types to the path given.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Operator.CrdGen <output.yaml>");
    return 2;
}

var directory = Path.GetDirectoryName(Path.GetFullPath(args[0]));
if (directory is not null)
{
    Directory.CreateDirectory(directory);
}

File.WriteAllText(args[0], CrdGenerator.GenerateYaml());
Console.WriteLine($"wrote {args[0]}");
return 0;
