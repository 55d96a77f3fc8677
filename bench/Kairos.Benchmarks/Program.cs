using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Kairos.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
