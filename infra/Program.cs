ScyllaApocryph.Infra.Cli.StartupTrace.Mark("main");
return await new ScyllaApocryph.Infra.Cli.CliApp(ScyllaApocryph.Infra.Cli.CliEnvironment.FromConsole()).RunAsync(args);
