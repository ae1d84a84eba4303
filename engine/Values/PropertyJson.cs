using System.Text;
using System.Text.Json;
using ScyllaApocryph.Engine.Resources;

namespace ScyllaApocryph.Engine.Values;

/// <summary>
/// The storage encoding of property values. Plain JSON for plain values; the wrappers become one-key objects
/// (<c>{"$secret": ciphertext}</c>, <c>{"$unknown": true}</c>, <c>{"$ref": urn, "output": key}</c>).
/// A user key that starts with <c>$</c> is escaped by doubling the <c>$</c>, so it can never be mistaken for a wrapper.
/// Secrets are encrypted as a whole subtree: the plaintext never reaches the writer.
/// </summary>
public static class PropertyJson
{
    public static void Write(Utf8JsonWriter w, PropertyValue value, ISecretCipher cipher)
    {
        switch (value)
        {
            case NullValue: w.WriteNullValue(); break;
            case BoolValue b: w.WriteBooleanValue(b.Value); break;
            case NumberValue n: w.WriteNumberValue(n.Value); break;
            case StringValue s: w.WriteStringValue(s.Value); break;
            case ArrayValue a:
                w.WriteStartArray();
                foreach (var item in a.Items) Write(w, item, cipher);
                w.WriteEndArray();
                break;
            case ObjectValue o: WriteMap(w, o.Map, cipher); break;
            case SecretValue s:
                // A secret read from the state, or written once already, keeps its ciphertext: no key is needed.
                var ciphertext = s.CiphertextUnder(cipher);
                if (ciphertext is null)
                {
                    ciphertext = cipher.Encrypt(Encoding.UTF8.GetBytes(ToJsonString(s.Inner, cipher)));
                    s.Remember(cipher, ciphertext);
                }
                w.WriteStartObject();
                w.WriteString("$secret", ciphertext);
                w.WriteEndObject();
                break;
            case UnknownValue:
                w.WriteStartObject();
                w.WriteBoolean("$unknown", true);
                w.WriteEndObject();
                break;
            case OutputReference r:
                w.WriteStartObject();
                w.WriteString("$ref", r.Urn.Value);
                w.WriteString("output", r.Output);
                w.WriteEndObject();
                break;
            case FormatValue f:
                w.WriteStartObject();
                w.WriteStartArray("$format");
                foreach (var part in f.Parts) Write(w, part, cipher);
                w.WriteEndArray();
                w.WriteEndObject();
                break;
            case FunctionValue fn:
                w.WriteStartObject();
                w.WriteString("$apply", fn.Function);
                w.WritePropertyName("argument");
                Write(w, fn.Argument, cipher);
                w.WriteEndObject();
                break;
            default: throw new InvalidOperationException($"cannot encode {value.GetType().Name}");
        }
    }

    public static void WriteMap(Utf8JsonWriter w, PropertyMap map, ISecretCipher cipher)
    {
        w.WriteStartObject();
        foreach (var (key, v) in map)
        {
            w.WritePropertyName(key.StartsWith('$') ? "$" + key : key);
            Write(w, v, cipher);
        }
        w.WriteEndObject();
    }

    /// <param name="damaged">What a secret that fails to decrypt or parse, once opened, throws instead (names the file).</param>
    public static PropertyValue Read(JsonElement e, ISecretCipher cipher, Func<Exception, Exception>? damaged = null)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null: return PropertyValue.Null;
            case JsonValueKind.True: return new BoolValue(true);
            case JsonValueKind.False: return new BoolValue(false);
            case JsonValueKind.Number: return new NumberValue(e.GetDouble());
            case JsonValueKind.String: return new StringValue(e.GetString()!);
            case JsonValueKind.Array: return new ArrayValue([.. e.EnumerateArray().Select(i => Read(i, cipher))]);
            case JsonValueKind.Object:
                if (e.TryGetProperty("$secret", out var secret))
                {
                    var ciphertext = secret.GetString() ?? throw new JsonException("$secret must be a string");
                    return SecretValue.Sealed(cipher, ciphertext, () => Unseal(ciphertext, cipher, damaged));
                }
                if (e.TryGetProperty("$unknown", out _)) return PropertyValue.Unknown;
                if (e.TryGetProperty("$apply", out var fn)) return new FunctionValue(fn.GetString()!, Read(e.GetProperty("argument"), cipher, damaged));
                if (e.TryGetProperty("$format", out var parts)) return new FormatValue([.. parts.EnumerateArray().Select(p => Read(p, cipher, damaged))]);
                if (e.TryGetProperty("$ref", out var urn))
                    return new OutputReference(new Urn(urn.GetString()!), e.GetProperty("output").GetString()!);
                return new ObjectValue(ReadMap(e, cipher, damaged));
            default: throw new JsonException($"unexpected JSON {e.ValueKind}");
        }
    }

    public static PropertyMap ReadMap(JsonElement e, ISecretCipher cipher, Func<Exception, Exception>? damaged = null)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new JsonException("expected a JSON object");
        return PropertyMap.From(e.EnumerateObject().Select(p =>
            KeyValuePair.Create(p.Name.StartsWith("$$", StringComparison.Ordinal) ? p.Name[1..] : p.Name, Read(p.Value, cipher, damaged))));
    }

    // The first use of a sealed secret: the key is derived now if nothing needed it before.
    private static PropertyValue Unseal(string ciphertext, ISecretCipher cipher, Func<Exception, Exception>? damaged)
    {
        try
        {
            using var doc = JsonDocument.Parse(cipher.Decrypt(ciphertext));
            return Read(doc.RootElement, cipher, damaged);
        }
        catch (Exception e) when (damaged is not null &&
                                  e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            throw damaged(e);
        }
    }

    public static string ToJsonString(PropertyValue value, ISecretCipher cipher)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) Write(w, value, cipher);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Plain JSON for machines (<c>--json</c>): secrets redacted unless <paramref name="showSecrets"/>.</summary>
    public static void WritePlain(Utf8JsonWriter w, PropertyValue value, bool showSecrets)
    {
        switch (value)
        {
            case SecretValue s when showSecrets: WritePlain(w, s.Inner, true); break;
            case SecretValue: w.WriteStringValue(PropertyFormatter.SecretText); break;
            case UnknownValue or OutputReference or FormatValue or FunctionValue: w.WriteStringValue(PropertyFormatter.UnknownText); break;
            case ArrayValue a:
                w.WriteStartArray();
                foreach (var item in a.Items) WritePlain(w, item, showSecrets);
                w.WriteEndArray();
                break;
            case ObjectValue o:
                w.WriteStartObject();
                foreach (var (k, v) in o.Map)
                {
                    w.WritePropertyName(k);
                    WritePlain(w, v, showSecrets);
                }
                w.WriteEndObject();
                break;
            default: Write(w, value, NoSecrets.Instance); break;
        }
    }

    private sealed class NoSecrets : ISecretCipher
    {
        public static readonly NoSecrets Instance = new();

        public string Encrypt(ReadOnlySpan<byte> plaintext) => throw new InvalidOperationException("no cipher here");

        public byte[] Decrypt(string ciphertext) => throw new InvalidOperationException("no cipher here");
    }
}
