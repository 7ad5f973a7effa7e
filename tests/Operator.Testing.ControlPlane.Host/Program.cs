Console.Error.WriteLine("control plane host: not built yet"); return 2;
