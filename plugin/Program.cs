using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ScyllaApocryph.Plugin;
using ScyllaApocryph.Pulumi.Provider;

// Pulumi's plugin host starts the plugin (with the engine's address as its argument, and flags such as
// --logtostderr, -v=N or --tracing), reads the port it listens on from the first line of standard output, then
// talks gRPC over cleartext HTTP/2 on loopback. Everything else the plugin says goes to standard error. The
// arguments are not configuration, so they are not handed to the host builder (which would reject "-v=9").
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole().AddFilter((category, level) => level >= LogLevel.Warning);
builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 400 * 1024 * 1024);
builder.Services.AddSingleton<IPluginPackage, ScyllaApocryphPackage>();
// One service instance for the process: Configure's provider and Cancel's token are shared by every call.
builder.Services.AddSingleton<ResourceProviderService>();

var app = builder.Build();
app.MapGrpcService<ResourceProviderService>();
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.Out.WriteLine(new Uri(address).Port);
Console.Out.Flush();
await app.WaitForShutdownAsync();
