using System.Runtime.InteropServices;

namespace BlazorRecs.Faiss.Interop;

/// <summary>P/Invoke declarations for the shim in native/blazorrecs_faiss.cpp. Every call returns a status code.</summary>
internal static partial class NativeMethods
{
    internal const string Library = "blazorrecs_faiss";

    [LibraryImport(Library, EntryPoint = "brf_last_error")]
    internal static partial nint LastError();

    [LibraryImport(Library, EntryPoint = "brf_version")]
    internal static partial nint Version();

    [LibraryImport(Library, EntryPoint = "brf_index_factory", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int IndexFactory(int dim, string description, int metric, out nint index);

    [LibraryImport(Library, EntryPoint = "brf_free")]
    internal static partial void Free(nint index);

    [LibraryImport(Library, EntryPoint = "brf_info")]
    internal static partial int Info(FaissIndexHandle index, out int dim, out long ntotal, out int isTrained, out int metric);

    [LibraryImport(Library, EntryPoint = "brf_train")]
    internal static unsafe partial int Train(FaissIndexHandle index, long n, float* x);

    [LibraryImport(Library, EntryPoint = "brf_add_with_ids")]
    internal static unsafe partial int AddWithIds(FaissIndexHandle index, long n, float* x, long* ids);

    [LibraryImport(Library, EntryPoint = "brf_search")]
    internal static unsafe partial int Search(FaissIndexHandle index, long n, float* x, long k, float* distances, long* labels);

    [LibraryImport(Library, EntryPoint = "brf_remove_ids")]
    internal static unsafe partial int RemoveIds(FaissIndexHandle index, long n, long* ids, out long removed);

    [LibraryImport(Library, EntryPoint = "brf_reset")]
    internal static partial int Reset(FaissIndexHandle index);

    [LibraryImport(Library, EntryPoint = "brf_write", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Write(FaissIndexHandle index, string path);

    [LibraryImport(Library, EntryPoint = "brf_read", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Read(string path, out nint index);

    [LibraryImport(Library, EntryPoint = "brf_set_parameter", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetParameter(FaissIndexHandle index, string name, double value);
}
