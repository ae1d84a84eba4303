using System.Globalization;
using System.Text.Json;
using ScyllaApocryph.Engine.Resources;
using ScyllaApocryph.Engine.Values;

namespace ScyllaApocryph.Engine.State;

/// <summary>JSON encoding of <see cref="ResourceState"/>, shared by the snapshot and the journal.</summary>
internal static class StateJson
{
    public static void WriteResource(Utf8JsonWriter w, ResourceState r, ISecretCipher cipher)
    {
        w.WriteStartObject();
        w.WriteString("urn", r.Urn.Value);
        w.WriteString("type", r.Type);
        if (r.Provider is not null) w.WriteString("provider", r.Provider);
        if (r.Id is not null) w.WriteString("id", r.Id);
        if (r.Parent is not null) w.WriteString("parent", r.Parent.Value);
        w.WritePropertyName("inputs");
        PropertyJson.WriteMap(w, r.Inputs, cipher);
        w.WritePropertyName("outputs");
        PropertyJson.WriteMap(w, r.Outputs, cipher);
        if (r.Dependencies.Count > 0)
        {
            w.WriteStartArray("dependencies");
            foreach (var d in r.Dependencies) w.WriteStringValue(d.Value);
            w.WriteEndArray();
        }
        if (r.Protect) w.WriteBoolean("protect", true);
        if (r.Delete) w.WriteBoolean("delete", true);
        if (r.DeleteTimeout is { } t) w.WriteString("deleteTimeout", t.ToString("c", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    public static ResourceState ReadResource(JsonElement e, ISecretCipher cipher, Func<Exception, Exception>? damaged = null)
    {
        string? Str(string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        bool Flag(string name) => e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.True;
        return new ResourceState(
            new Urn(Str("urn") ?? throw new JsonException("resource without urn")),
            Str("type") ?? throw new JsonException("resource without type"),
            Str("provider"),
            Str("id"),
            Str("parent") is { } parent ? new Urn(parent) : null,
            PropertyJson.ReadMap(e.GetProperty("inputs"), cipher, damaged),
            PropertyJson.ReadMap(e.GetProperty("outputs"), cipher, damaged),
            e.TryGetProperty("dependencies", out var deps) ? [.. deps.EnumerateArray().Select(d => new Urn(d.GetString()!))] : [],
            Flag("protect"),
            Flag("delete"),
            Str("deleteTimeout") is { } t ? TimeSpan.Parse(t, CultureInfo.InvariantCulture) : null);
    }
}
