using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TinyRpc.Dispatch;

/// <summary>
/// A read-only hash table from UTF-8 method names to methods: the dispatcher's lookup for requests whose
/// protocol hands over the name's bytes. Open addressing over a power-of-two array at most half full, so a
/// miss ends quickly whatever name a client sends.
/// </summary>
internal sealed class Utf8MethodTable
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Entry[] _entries;
    private readonly int _mask;

    private readonly (RpcDispatcher Dispatcher, int Version)[] _sources;

    public Utf8MethodTable((RpcDispatcher Dispatcher, int Version)[] sources, bool isComplete, IReadOnlyDictionary<string, RpcMethod> methods)
    {
        _sources = sources;
        IsComplete = isComplete;
        int size = 4;
        while (size < methods.Count * 2)
        {
            size *= 2;
        }

        _entries = new Entry[size];
        _mask = size - 1;
        if (!isComplete)
        {
            return;
        }

        foreach (KeyValuePair<string, RpcMethod> method in methods)
        {
            byte[] key;
            try
            {
                key = s_strictUtf8.GetBytes(method.Key);
            }
            catch (EncoderFallbackException)
            {
                continue; // a lone surrogate: no valid UTF-8 name can match it
            }

            uint hash = Hash(key);
            int i = (int)hash & _mask;
            while (_entries[i].Key is not null)
            {
                i = (i + 1) & _mask;
            }

            _entries[i] = new Entry(key, hash, method.Value);
        }
    }

    /// <summary>False once a dispatcher the table was built from has registered something since.</summary>
    public bool IsCurrent
    {
        get
        {
            foreach ((RpcDispatcher dispatcher, int version) in _sources)
            {
                if (dispatcher.Version != version)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>False when the dispatchers could not be flattened (a cycle); the table is empty then.</summary>
    public bool IsComplete { get; }

    public bool TryGetValue(ReadOnlySpan<byte> name, [NotNullWhen(true)] out RpcMethod? method)
    {
        uint hash = Hash(name);
        for (int i = (int)hash & _mask; ; i = (i + 1) & _mask)
        {
            ref readonly Entry entry = ref _entries[i];
            if (entry.Key is null)
            {
                method = null;
                return false;
            }

            if (entry.Hash == hash && name.SequenceEqual(entry.Key))
            {
                method = entry.Method!;
                return true;
            }
        }
    }

    // FNV-1a: names are short, and the table is fixed at registration, so a client choosing names cannot
    // lengthen anyone's probe beyond the clusters the registered names form.
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    private readonly record struct Entry(byte[]? Key, uint Hash, RpcMethod? Method);
}
