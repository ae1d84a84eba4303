using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.Resources;

/// <summary>The desired state a program produces: resources in registration order plus the stack's outputs.</summary>
public sealed class ResourceGraph
{
    private readonly List<ResourceDeclaration> _resources = [];
    private readonly Dictionary<Urn, ResourceDeclaration> _byUrn = [];

    public ResourceGraph(string stack, string project)
    {
        Stack = stack;
        Project = project;
    }

    public string Stack { get; }

    public string Project { get; }

    public IReadOnlyList<ResourceDeclaration> Resources => _resources;

    /// <summary>Stack outputs; values may reference resource outputs and are resolved after apply.</summary>
    public PropertyMap Outputs { get; private set; } = PropertyMap.Empty;

    public ResourceDeclaration? Find(Urn urn) => _byUrn.GetValueOrDefault(urn);

    /// <summary>Declares a custom resource (one a provider manages).</summary>
    public ResourceDeclaration Resource(string type, string name, string provider, PropertyMap inputs,
        ResourceDeclaration? parent = null, ResourceOptions? options = null) =>
        Add(type, name, provider, inputs, parent, options);

    /// <summary>Declares a component: a named group of resources with no provider.</summary>
    public ResourceDeclaration Component(string type, string name, ResourceDeclaration? parent = null, PropertyMap? inputs = null) =>
        Add(type, name, null, inputs ?? PropertyMap.Empty, parent, null);

    public void Export(string key, PropertyValue value) => Outputs = Outputs.With(key, value);

    private ResourceDeclaration Add(string type, string name, string? provider, PropertyMap inputs,
        ResourceDeclaration? parent, ResourceOptions? options)
    {
        var urn = Urn.Create(Stack, Project, parent?.Urn.QualifiedType, type, name);
        if (_byUrn.ContainsKey(urn)) throw new ArgumentException($"duplicate resource {urn}");
        var declaration = new ResourceDeclaration(urn, type, name, parent?.Urn, provider, inputs, options ?? ResourceOptions.Default);
        foreach (var dependency in declaration.Dependencies)
        {
            // Registration order is a topological order: a dependency must be declared first.
            if (!_byUrn.ContainsKey(dependency))
                throw new ArgumentException($"{urn} depends on {dependency}, which is not declared before it");
        }
        _resources.Add(declaration);
        _byUrn.Add(urn, declaration);
        return declaration;
    }
}
