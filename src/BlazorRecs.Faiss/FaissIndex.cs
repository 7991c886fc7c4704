using System.Reflection;
using System.Runtime.InteropServices;
using BlazorRecs.Faiss.Interop;

namespace BlazorRecs.Faiss;

/// <summary>
/// A FAISS index holding vectors under caller-chosen 64-bit ids.
/// </summary>
/// <remarks>
/// Searches may run concurrently from any number of threads; adds, removals, training and resets take the index
/// exclusively, since FAISS itself only guarantees concurrent reads.
/// </remarks>
public sealed class FaissIndex : IDisposable
{
    private readonly FaissIndexHandle _handle;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    static FaissIndex() => NativeLibrary.SetDllImportResolver(typeof(FaissIndex).Assembly, ResolveShim);

    private FaissIndex(FaissIndexHandle handle)
    {
        _handle = handle;
        Proxy.Check(NativeMethods.Info(_handle, out int dim, out _, out _, out int metric), "info");
        Dimension = dim;
        Metric = (FaissMetric)metric;
    }

    /// <summary>The version of the FAISS library linked into the shim, for example <c>1.7.3</c>.</summary>
    public static string NativeVersion => Proxy.Version();

    /// <summary>Vector dimension.</summary>
    public int Dimension { get; }

    /// <summary>The metric the index ranks by.</summary>
    public FaissMetric Metric { get; }

    /// <summary>Number of vectors stored.</summary>
    public long Count => ReadInfo().NTotal;

    /// <summary>Whether the index is trained (IVF and PQ indexes need <see cref="Train"/> before vectors are added).</summary>
    public bool IsTrained => ReadInfo().IsTrained;

    /// <summary>
    /// Builds an index with FAISS's <c>index_factory</c>, for example <c>"Flat"</c>, <c>"IVF256,Flat"</c> or <c>"HNSW32"</c>.
    /// Indexes that cannot hold ids themselves are wrapped in an id map.
    /// </summary>
    /// <exception cref="FaissFactoryException">FAISS rejected the description.</exception>
    public static FaissIndex Create(int dimension, string description, FaissMetric metric = FaissMetric.InnerProduct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Proxy.Check(NativeMethods.IndexFactory(dimension, description, (int)metric, out nint raw), "index_factory");
        return new FaissIndex(new FaissIndexHandle(raw));
    }

    /// <summary>Reads an index written by <see cref="Write"/>.</summary>
    /// <exception cref="FaissException">The file is missing, truncated or not a FAISS index.</exception>
    public static FaissIndex Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Proxy.Check(NativeMethods.Read(path, out nint raw), "read_index");
        return new FaissIndex(new FaissIndexHandle(raw));
    }

    /// <summary>Trains the index on row-major vectors (a no-op for flat and HNSW indexes).</summary>
    public unsafe void Train(ReadOnlySpan<float> vectors)
    {
        long n = RowCount(vectors);
        _lock.EnterWriteLock();
        try
        {
            fixed (float* x = vectors)
            {
                Proxy.Check(NativeMethods.Train(_handle, n, x), "train");
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Adds row-major <paramref name="vectors"/> under <paramref name="ids"/> (one id per row).</summary>
    public unsafe void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids)
    {
        long n = RowCount(vectors);
        if (ids.Length != n)
        {
            throw new ArgumentException($"{n} vectors but {ids.Length} ids were given.", nameof(ids));
        }

        _lock.EnterWriteLock();
        try
        {
            fixed (float* x = vectors)
            fixed (long* xids = ids)
            {
                Proxy.Check(NativeMethods.AddWithIds(_handle, n, x, xids), "add_with_ids");
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Finds the <paramref name="k"/> nearest stored vectors for each row-major query.</summary>
    public unsafe SearchResults Search(ReadOnlySpan<float> queries, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        long n = RowCount(queries);
        var distances = new float[checked(n * k)];
        var labels = new long[distances.Length];
        _lock.EnterReadLock();
        try
        {
            fixed (float* x = queries)
            fixed (float* d = distances)
            fixed (long* l = labels)
            {
                Proxy.Check(NativeMethods.Search(_handle, n, x, k, d, l), "search");
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return new SearchResults((int)n, k, distances, labels);
    }

    /// <summary>Removes the vectors stored under <paramref name="ids"/>; returns how many were removed.</summary>
    /// <exception cref="FaissException">The index type does not support removal (HNSW, for example).</exception>
    public unsafe long Remove(ReadOnlySpan<long> ids)
    {
        if (ids.IsEmpty)
        {
            return 0;
        }

        _lock.EnterWriteLock();
        try
        {
            fixed (long* x = ids)
            {
                Proxy.Check(NativeMethods.RemoveIds(_handle, ids.Length, x, out long removed), "remove_ids");
                return removed;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes every vector.</summary>
    public void Reset()
    {
        _lock.EnterWriteLock();
        try
        {
            Proxy.Check(NativeMethods.Reset(_handle), "reset");
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Writes the index to <paramref name="path"/> (FAISS's own format). Callers wanting atomic replacement
    /// write to a temporary file and rename it.</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _lock.EnterReadLock();
        try
        {
            Proxy.Check(NativeMethods.Write(_handle, path), "write_index");
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Sets how many inverted lists an IVF index visits per query (recall against speed).</summary>
    public void SetNProbe(int nprobe) => SetParameter("nprobe", nprobe);

    /// <summary>Sets the size of an HNSW index's candidate list per query (recall against speed).</summary>
    public void SetEfSearch(int efSearch) => SetParameter("efSearch", efSearch);

    /// <inheritdoc />
    public void Dispose()
    {
        _handle.Dispose();
        _lock.Dispose();
    }

    private void SetParameter(string name, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, name);
        _lock.EnterWriteLock();
        try
        {
            Proxy.Check(NativeMethods.SetParameter(_handle, name, value), $"set {name}");
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private (long NTotal, bool IsTrained) ReadInfo()
    {
        _lock.EnterReadLock();
        try
        {
            Proxy.Check(NativeMethods.Info(_handle, out _, out long ntotal, out int trained, out _), "info");
            return (ntotal, trained != 0);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    // Checked here, not in FAISS: FAISS reads n*d floats from the pointer whatever the buffer's real length.
    private long RowCount(ReadOnlySpan<float> vectors)
    {
        if (vectors.IsEmpty || vectors.Length % Dimension != 0)
        {
            throw new FaissDimensionException(
                $"Expected a non-empty multiple of the index dimension {Dimension} floats, got {vectors.Length}.");
        }

        return vectors.Length / Dimension;
    }

    private static nint ResolveShim(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.Library)
        {
            return nint.Zero;
        }

        string fileName = $"lib{NativeMethods.Library}.so";
        foreach (string dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(assembly.Location) ?? "" })
        {
            string candidate = Path.Combine(dir, fileName);
            if (File.Exists(candidate))
            {
                return NativeLibrary.Load(candidate);
            }
        }

        throw new DllNotFoundException(
            $"{fileName} was not found next to the application. It is built by `dotnet build` from " +
            "src/BlazorRecs.Faiss/native and needs cmake, g++, libfaiss-dev and libopenblas-dev (./run.sh installs them).");
    }
}
