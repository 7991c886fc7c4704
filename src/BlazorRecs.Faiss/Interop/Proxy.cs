using System.Runtime.InteropServices;

namespace BlazorRecs.Faiss.Interop;

/// <summary>The one place that turns the shim's status codes into typed exceptions.</summary>
internal static class Proxy
{
    // Native status codes, mirrored from BrfError in blazorrecs_faiss.cpp.
    private const int Ok = 0;
    private const int NoMemory = 3;
    private const int Argument = 5;

    internal static void Check(int status, string operation)
    {
        if (status == Ok)
        {
            return;
        }

        string message = Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "no message";
        throw status switch
        {
            NoMemory => new InsufficientMemoryException($"FAISS {operation}: {message}"),
            Argument => new FaissException(operation, message),
            _ => operation == "index_factory"
                ? new FaissFactoryException(message)
                : new FaissException(operation, message),
        };
    }

    internal static string Version() => Marshal.PtrToStringUTF8(NativeMethods.Version()) ?? "unknown";
}
