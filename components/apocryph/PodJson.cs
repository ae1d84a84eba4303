using System.Globalization;
using System.Text;
using Google.Protobuf;
using ScyllaApocryph.Components.Apocryph.Proto;

namespace ScyllaApocryph.Components.Apocryph;

/// <summary>
/// The pod manifest as protojson, written field by field: what Google.Protobuf's <see cref="JsonFormatter"/> with
/// indentation writes (the tests compare byte for byte), without its reflection over the message descriptors, which
/// cost 30–45 ms of a render's start-up. The proto3 JSON mapping as that formatter applies it: lowerCamelCase names
/// in field-number order; a scalar at its default left out unless it belongs to a oneof that is set; 64-bit integers
/// as strings, 32-bit ones as numbers; bytes as base64; enums by name (by number when the schema has no name).
/// </summary>
public static class PodJson
{
    public static string Format(Pod pod)
    {
        var w = new Writer();
        w.Open('{');
        Array(w, "containers", pod.Containers, Container);
        Array(w, "volumes", pod.Volumes, Volume);
        if (pod.Replicas is { } r)
        {
            w.Open('{', "replicas");
            Number(w, "min", r.Min);
            Number(w, "max", r.Max);
            Number(w, "targetPendingRequests", r.TargetPendingRequests);
            w.Close('}');
        }
        if (pod.KeyPair is { } k)
        {
            w.Open('{', "keyPair");
            Text(w, "privateKey", k.PrivateKey);
            Text(w, "pubAddress", k.PubAddress);
            w.Close('}');
        }
        if (pod.VerificationSettings is { } v)
        {
            w.Open('{', "verificationSettings");
            Flag(w, "forcePolicy", v.ForcePolicy);
            Flag(w, "publicVerifiability", v.PublicVerifiability);
            Text(w, "verificationHost", v.VerificationHost);
            w.Close('}');
        }
        w.Close('}');
        return w.ToString();
    }

    private static void Container(Writer w, Container c)
    {
        w.Open('{');
        Text(w, "name", c.Name);
        if (c.Image is { } image)
        {
            w.Open('{', "image");
            Bytes(w, "cid", image.Cid);
            Key(w, image.Key);
            Text(w, "url", image.Url);
            if (image.VerificationDetails is { } d)
            {
                w.Open('{', "verificationDetails");
                Text(w, "signature", d.Signature);
                Text(w, "identity", d.Identity);
                Text(w, "issuer", d.Issuer);
                w.Close('}');
            }
            w.Close('}');
        }
        Array(w, "entrypoint", c.Entrypoint, (w, s) => w.String(null, s));
        Array(w, "command", c.Command, (w, s) => w.String(null, s));
        Text(w, "workingDir", c.WorkingDir);
        Array(w, "ports", c.Ports, (w, p) =>
        {
            w.Open('{');
            Text(w, "name", p.Name);
            Long(w, "containerPort", p.ContainerPort);
            Long(w, "servicePort", p.ServicePort);
            switch (p.ExposedPortCase)
            {
                case Proto.Container.Types.Port.ExposedPortOneofCase.HostHttpHost: w.String("hostHttpHost", p.HostHttpHost); break;
                case Proto.Container.Types.Port.ExposedPortOneofCase.HostTcpPort: w.String("hostTcpPort", Invariant(p.HostTcpPort)); break;
            }
            w.Close('}');
        });
        if (c.Env.Count > 0)
        {
            w.Open('{', "env");
            foreach (var (name, value) in c.Env) w.String(name, value);
            w.Close('}');
        }
        Array(w, "volumes", c.Volumes, (w, m) =>
        {
            w.Open('{');
            Text(w, "name", m.Name);
            Text(w, "mountPath", m.MountPath);
            Flag(w, "readOnly", m.ReadOnly);
            w.Close('}');
        });
        Array(w, "resourceRequests", c.ResourceRequests, Resource);
        w.Close('}');
    }

    private static void Volume(Writer w, Volume v)
    {
        w.Open('{');
        Text(w, "name", v.Name);
        Enum(w, "type", (int)v.Type, v.Type switch
        {
            Proto.Volume.Types.Type.VolumeEmpty => "VOLUME_EMPTY",
            Proto.Volume.Types.Type.VolumeFilesystem => "VOLUME_FILESYSTEM",
            Proto.Volume.Types.Type.VolumeSecret => "VOLUME_SECRET",
            _ => null,
        });
        Enum(w, "accessMode", (int)v.AccessMode, v.AccessMode switch
        {
            Proto.Volume.Types.AccessMode.VolumeRwOne => "VOLUME_RW_ONE",
            Proto.Volume.Types.AccessMode.VolumeRwMany => "VOLUME_RW_MANY",
            _ => null,
        });
        if (v.ConfigurationCase == Proto.Volume.ConfigurationOneofCase.Filesystem)
        {
            w.Open('{', "filesystem");
            Array(w, "resourceRequests", v.Filesystem.ResourceRequests, Resource);
            w.Close('}');
        }
        if (v.ConfigurationCase == Proto.Volume.ConfigurationOneofCase.Secret)
        {
            var s = v.Secret;
            w.Open('{', "secret");
            Bytes(w, "cid", s.Cid);
            Key(w, s.Key);
            Text(w, "file", s.File);
            Bytes(w, "contents", s.Contents);
            Text(w, "contentsString", s.ContentsString);
            w.Close('}');
        }
        w.Close('}');
    }

    private static void Resource(Writer w, Resource r)
    {
        w.Open('{');
        Text(w, "resource", r.Resource_);
        var (name, amount) = r.QuantityCase switch
        {
            Proto.Resource.QuantityOneofCase.Amount => ("amount", r.Amount),
            Proto.Resource.QuantityOneofCase.AmountMillis => ("amountMillis", r.AmountMillis),
            Proto.Resource.QuantityOneofCase.AmountKibi => ("amountKibi", r.AmountKibi),
            Proto.Resource.QuantityOneofCase.AmountMebi => ("amountMebi", r.AmountMebi),
            Proto.Resource.QuantityOneofCase.AmountGibi => ("amountGibi", r.AmountGibi),
            _ => ((string?)null, 0UL),
        };
        if (name is not null) w.String(name, Invariant(amount)); // a oneof member that is set: written even when 0
        w.Close('}');
    }

    private static void Key(Writer w, Key? key)
    {
        if (key is null) return;
        w.Open('{', "key");
        Bytes(w, "data", key.Data);
        w.Close('}');
    }

    private static void Array<T>(Writer w, string name, IReadOnlyCollection<T> items, Action<Writer, T> item)
    {
        if (items.Count == 0) return;
        w.Open('[', name);
        foreach (var i in items) item(w, i);
        w.Close(']');
    }

    private static void Text(Writer w, string name, string value)
    {
        if (value.Length > 0) w.String(name, value);
    }

    private static void Flag(Writer w, string name, bool value)
    {
        if (value) w.Raw(name, "true");
    }

    private static void Number(Writer w, string name, uint value)
    {
        if (value != 0) w.Raw(name, Invariant(value));
    }

    private static void Long(Writer w, string name, ulong value)
    {
        if (value != 0) w.String(name, Invariant(value));
    }

    private static void Bytes(Writer w, string name, ByteString value)
    {
        if (!value.IsEmpty) w.String(name, value.ToBase64());
    }

    private static void Enum(Writer w, string name, int value, string? known)
    {
        if (value == 0) return;
        if (known is null) w.Raw(name, Invariant((uint)value));
        else w.String(name, known);
    }

    private static string Invariant(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The formatter's layout: one member a line, two spaces a level, "name": value, an empty bracket closed on its line.
    /// </summary>
    private sealed class Writer
    {
        private readonly StringBuilder _text = new();
        private readonly Stack<bool> _hasMembers = new();

        public void Open(char bracket, string? name = null)
        {
            Member(name);
            _text.Append(bracket);
            _hasMembers.Push(false);
        }

        public void Close(char bracket)
        {
            if (_hasMembers.Pop()) NewLine(_hasMembers.Count);
            _text.Append(bracket);
        }

        public void String(string? name, string value)
        {
            Member(name);
            Quote(value);
        }

        public void Raw(string name, string json)
        {
            Member(name);
            _text.Append(json);
        }

        public override string ToString() => _text.ToString();

        private void Member(string? name)
        {
            if (_hasMembers.Count == 0) return;
            if (_hasMembers.Pop()) _text.Append(',');
            _hasMembers.Push(true);
            NewLine(_hasMembers.Count);
            if (name is null) return;
            Quote(name);
            _text.Append(": ");
        }

        private void NewLine(int level) => _text.Append('\n').Append(' ', 2 * level);

        // The formatter's escaping: JSON's required escapes, '<' and '>', C0 and C1 controls and DEL, every surrogate
        // pair, and the invisible or direction-changing characters JavaScript engines treat specially.
        private void Quote(string s)
        {
            _text.Append('"');
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                switch (c)
                {
                    case '"': _text.Append("\\\""); break;
                    case '\\': _text.Append("\\\\"); break;
                    case '\b': _text.Append("\\b"); break;
                    case '\t': _text.Append("\\t"); break;
                    case '\n': _text.Append("\\n"); break;
                    case '\f': _text.Append("\\f"); break;
                    case '\r': _text.Append("\\r"); break;
                    case '<' or '>' or < ' ' or (>= '\u007f' and <= '\u009f') or '\u00ad' or '\u06dd' or '\u070f' or '\u17b4' or '\u17b5'
                        or '\ufeff' or (>= '\ufff9' and <= '\ufffb') or (>= '\u0600' and <= '\u0603') or (>= '\u200b' and <= '\u200f')
                        or (>= '\u2028' and <= '\u202e') or (>= '\u2060' and <= '\u2064') or (>= '\u206a' and <= '\u206f'):
                        Hex(c);
                        break;
                    case var high when char.IsHighSurrogate(high) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]):
                        Hex(high);
                        Hex(s[++i]);
                        break;
                    case var lone when char.IsSurrogate(lone):
                        throw new ArgumentException("a string of the pod manifest holds an unpaired surrogate");
                    default: _text.Append(c); break;
                }
            }
            _text.Append('"');
        }

        private void Hex(char c) => _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
    }
}
