using System.Reflection;
using ScyllaApocryph.Bench;

// The hello-world that `startup` times beside the program: nothing runs before this line.
if (args is ["--hello"])
{
    Console.WriteLine("hello");
    return 0;
}

// Usage: dotnet run -c Release --project bench -- [NAME ...]   (no name: run all)
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var names = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var options = args.Skip(names.Count).ToArray();
var unknown = names.Where(n => benchmarks.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}
foreach (var benchmark in benchmarks.Where(b => names.Count == 0 || names.Contains(b.Name)))
{
    // A benchmark may re-run itself in a child process per case; the child prints only its figures.
    if (Environment.GetEnvironmentVariable("BENCH_CHILD") is null) Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    await benchmark.RunAsync(options);
}
return 0;
