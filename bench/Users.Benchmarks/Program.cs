using BenchmarkDotNet.Running;

// `make bench-micro` (BENCH_FILTER='*List*' for one class); every argument is BenchmarkDotNet's (--list flat, --filter, --job).
BenchmarkSwitcher.FromAssembly(typeof(Users.Benchmarks.UserListBenchmarks).Assembly).Run(args);
