using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Pulumirpc;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;
using ScyllaApocryph.Pulumi.Protocol;
using Contract = ScyllaApocryph.Engine.Providers;

namespace ScyllaApocryph.Pulumi.Provider;

/// <summary>
/// Serves <c>pulumirpc.ResourceProvider</c> for one package: Pulumi's engine starts one plugin process per provider
/// instance, configures it once, then calls Check, Diff and the CRUD operations with Pulumi's type tokens, which
/// are mapped to the engine's and handed to the same <see cref="Contract.IResourceProvider"/> implementations the
/// built-in engine uses.
/// </summary>
public sealed class ResourceProviderService(IPluginPackage package) : ResourceProvider.ResourceProviderBase
{
    private readonly CancellationTokenSource _cancel = new();
    private volatile Contract.IResourceProvider? _provider;

    /// <summary>
    /// Where relative paths of a constructed component are taken from: the program's directory once the engine's
    /// Handshake names it, else the plugin's working directory (where the engine started it).
    /// </summary>
    private volatile string _programDirectory = Environment.CurrentDirectory;

    public override Task<ProviderHandshakeResponse> Handshake(ProviderHandshakeRequest request, ServerCallContext context)
    {
        if (request.HasProgramDirectory && request.ProgramDirectory.Length > 0) _programDirectory = request.ProgramDirectory;
        return Task.FromResult(new ProviderHandshakeResponse { AcceptSecrets = true, AcceptResources = true, AcceptOutputs = true });
    }

    public override Task<PluginInfo> GetPluginInfo(Empty request, ServerCallContext context) =>
        Task.FromResult(new PluginInfo { Version = package.Version });

    public override Task<GetSchemaResponse> GetSchema(GetSchemaRequest request, ServerCallContext context) =>
        request.SubpackageName.Length > 0
            ? throw new RpcException(new Status(StatusCode.InvalidArgument, $"{TypeTokens.Package} has no sub-packages (asked for '{request.SubpackageName}')"))
            : Task.FromResult(new GetSchemaResponse { Schema = package.Schema });

    public override Task<CheckResponse> CheckConfig(CheckRequest request, ServerCallContext context)
    {
        var news = Decode(request.News);
        var response = new CheckResponse { Inputs = PropertyStruct.ToStruct(news) };
        response.Failures.AddRange(package.CheckConfig(news).Select(f => new CheckFailure { Property = f.Property, Reason = f.Reason }));
        return Task.FromResult(response);
    }

    public override Task<DiffResponse> DiffConfig(DiffRequest request, ServerCallContext context)
    {
        var olds = Decode(request.OldInputs ?? request.Olds);
        var diff = Contract.DiffResult.ByInputs(olds, Decode(request.News), [.. package.ReplacingConfigKeys]);
        return Task.FromResult(ToResponse(diff, olds, Decode(request.News), request.IgnoreChanges, PropertyMap.Empty));
    }

    public override Task<ConfigureResponse> Configure(ConfigureRequest request, ServerCallContext context)
    {
        // Engines before the Struct form sent "pkg:config:key" strings; everything current sends args.
        var config = request.Args is not null
            ? Decode(request.Args)
            : PropertyMap.From(request.Variables.Select(kv => KeyValuePair.Create(kv.Key[(kv.Key.LastIndexOf(':') + 1)..], (PropertyValue)kv.Value)));
        if (package.CheckConfig(config) is { Count: > 0 } failures)
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", failures.Select(f => $"{f.Property}: {f.Reason}"))));
        _provider = package.Configure(config);
        return Task.FromResult(new ConfigureResponse { AcceptSecrets = true, SupportsPreview = true, AcceptResources = true, AcceptOutputs = true });
    }

    public override Task<CheckResponse> Check(CheckRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var check = await Provider.CheckAsync(new Contract.CheckRequest(new Urn(request.Urn), EngineType(request.Type, request.Urn),
            Decode(request.Olds), Decode(request.News)), ct);
        var response = new CheckResponse { Inputs = PropertyStruct.ToStruct(check.Inputs) };
        response.Failures.AddRange(check.Failures.Select(f => new CheckFailure { Property = f.Property, Reason = f.Reason }));
        return response;
    }, null);

    public override Task<DiffResponse> Diff(DiffRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var oldOutputs = Decode(request.Olds);
        // Engines that do not send old inputs (before sends_old_inputs) leave them to be found among the outputs.
        var oldInputs = request.OldInputs is null ? oldOutputs : Decode(request.OldInputs);
        var news = Decode(request.News);
        var diff = await Provider.DiffAsync(new Contract.DiffRequest(new Urn(request.Urn), EngineType(request.Type, request.Urn), request.Id,
            oldInputs, oldOutputs, news), ct);
        return ToResponse(diff, oldInputs, news, request.IgnoreChanges, oldOutputs);
    }, null);

    public override Task<CreateResponse> Create(CreateRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var type = EngineType(request.Type, request.Urn);
        var inputs = Decode(request.Properties);
        if (request.Preview)
            return new CreateResponse { Id = "", Properties = PropertyStruct.ToStruct(Unknowns(type, Mirrored(type, inputs))) };
        var created = await Provider.CreateAsync(new Contract.CreateRequest(new Urn(request.Urn), type, inputs), ct);
        return new CreateResponse { Id = created.Id, Properties = PropertyStruct.ToStruct(created.Outputs) };
    }, request.Timeout);

    public override Task<ReadResponse> Read(ReadRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var inputs = Decode(request.Inputs);
        var read = await Provider.ReadAsync(new Contract.ReadRequest(new Urn(request.Urn), EngineType(request.Type, request.Urn), request.Id,
            inputs, Decode(request.Properties)), ct);
        // An empty id tells the engine the resource is gone.
        return read is null
            ? new ReadResponse()
            : new ReadResponse { Id = read.Id, Properties = PropertyStruct.ToStruct(read.Outputs), Inputs = PropertyStruct.ToStruct(inputs) };
    }, null);

    public override Task<UpdateResponse> Update(UpdateRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var type = EngineType(request.Type, request.Urn);
        var olds = Decode(request.Olds);
        if (request.Preview) return new UpdateResponse { Properties = PropertyStruct.ToStruct(Unknowns(type, Mirrored(type, Decode(request.News)))) };
        var updated = await Provider.UpdateAsync(new Contract.UpdateRequest(new Urn(request.Urn), type, request.Id,
            request.OldInputs is null ? olds : Decode(request.OldInputs), olds, Decode(request.News)), ct);
        return new UpdateResponse { Properties = PropertyStruct.ToStruct(updated.Outputs) };
    }, request.Timeout);

    public override Task<Empty> Delete(DeleteRequest request, ServerCallContext context) => Guard(async ct =>
    {
        var outputs = Decode(request.Properties);
        await Provider.DeleteAsync(new Contract.DeleteRequest(new Urn(request.Urn), EngineType(request.Type, request.Urn), request.Id,
            request.OldInputs is null ? outputs : Decode(request.OldInputs), outputs), ct);
        return new Empty();
    }, request.Timeout);

    public override Task<ConstructResponse> Construct(ConstructRequest request, ServerCallContext context) => Guard(async ct =>
    {
        using var channel = GrpcChannel.ForAddress(Endpoints.Http(request.MonitorEndpoint));
        var result = await package.ConstructAsync(new ComponentRequest(TypeTokens.ToEngine(request.Type), request.Name,
            request.Parent.Length > 0 ? request.Parent : null, Decode(request.Inputs), request.Project, request.Stack, request.DryRun,
            [.. request.Dependencies], _programDirectory, new ResourceMonitor.ResourceMonitorClient(channel)), ct);
        var response = new ConstructResponse { Urn = result.Urn, State = PropertyStruct.ToStruct(result.State) };
        foreach (var (key, urns) in result.StateDependencies)
            response.StateDependencies[key] = new ConstructResponse.Types.PropertyDependencies { Urns = { urns } };
        return response;
    }, null);

    /// <summary>Advisory, as upstream's contract says: operations in flight are cancelled and fail.</summary>
    public override Task<Empty> Cancel(Empty request, ServerCallContext context)
    {
        _cancel.Cancel();
        return Task.FromResult(new Empty());
    }

    private Contract.IResourceProvider Provider =>
        _provider ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the provider has not been configured (Configure was not called)"));

    private static string EngineType(string type, string urn)
    {
        // Older engines leave the type field empty; the URN carries it as the last of its qualified types.
        if (type.Length == 0) type = urn.Split("::") is { Length: 4 } parts ? parts[2].Split('$')[^1] : "";
        try
        {
            return TypeTokens.ToEngine(type);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    private static PropertyMap Decode(Struct? s)
    {
        try
        {
            return PropertyStruct.FromStruct(s);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    /// <summary>Outputs that repeat an input of the same name (a file's path) are known before the resource exists.</summary>
    private PropertyMap Mirrored(string type, PropertyMap inputs) =>
        PropertyMap.From(package.Outputs(type).Where(o => inputs.ContainsKey(o.Key)).Select(o => KeyValuePair.Create(o.Key, inputs[o.Key])));

    /// <summary>What a preview answers: every output the type computes marked unknown, except those already known.</summary>
    private PropertyMap Unknowns(string type, PropertyMap known) =>
        package.Outputs(type).Where(o => !known.ContainsKey(o.Key)).Aggregate(known, (map, o) =>
            map.With(o.Key, o.Secret ? PropertyValue.Secret(PropertyValue.Unknown) : PropertyValue.Unknown));

    private static DiffResponse ToResponse(Contract.DiffResult diff, PropertyMap oldInputs, PropertyMap news, IEnumerable<string> ignoreChanges, PropertyMap oldOutputs)
    {
        var ignored = ignoreChanges.ToHashSet(StringComparer.Ordinal);
        var changed = diff.ChangedKeys.Where(k => !ignored.Contains(k)).ToList();
        var replaces = diff.ReplaceKeys.Where(changed.Contains).ToList();
        var response = new DiffResponse
        {
            Changes = changed.Count > 0 ? DiffResponse.Types.DiffChanges.DiffSome : DiffResponse.Types.DiffChanges.DiffNone,
            DeleteBeforeReplace = replaces.Count > 0 && diff.DeleteBeforeReplace,
            HasDetailedDiff = true,
        };
        response.Diffs.AddRange(changed);
        response.Replaces.AddRange(replaces);
        // Outputs that mirror an input this change leaves alone keep their value through an update.
        if (replaces.Count == 0)
            response.Stables.AddRange(oldOutputs.Keys.Where(k => news.ContainsKey(k) && !changed.Contains(k)));
        foreach (var key in changed)
        {
            var replace = replaces.Contains(key);
            var kind = !oldInputs.ContainsKey(key) ? (replace ? PropertyDiff.Types.Kind.AddReplace : PropertyDiff.Types.Kind.Add)
                : !news.ContainsKey(key) ? (replace ? PropertyDiff.Types.Kind.DeleteReplace : PropertyDiff.Types.Kind.Delete)
                : replace ? PropertyDiff.Types.Kind.UpdateReplace : PropertyDiff.Types.Kind.Update;
            response.DetailedDiff[key] = new PropertyDiff { Kind = kind, InputDiff = true };
        }
        return response;
    }

    /// <summary>
    /// Runs one operation under the service's cancellation and the request's timeout (seconds, 0 for none), and turns
    /// failures into gRPC errors. Provider messages name properties and never carry secret values.
    /// </summary>
    private async Task<T> Guard<T>(Func<CancellationToken, Task<T>> operation, double? timeoutSeconds)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_cancel.Token);
        if (timeoutSeconds is > 0) cts.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds.Value));
        try
        {
            // After Cancel nothing new starts: the engine is shutting the plugin down.
            cts.Token.ThrowIfCancellationRequested();
            return await operation(cts.Token);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, _cancel.IsCancellationRequested ? "cancelled by the engine" : "timed out"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The message only: the engine shows it with the resource's URN (a stack trace would say nothing more to the user).
            throw new RpcException(new Status(StatusCode.Unknown, e.Message));
        }
    }
}
