using System.Runtime.InteropServices;

namespace BlazorRecs.Faiss.Interop;

/// <summary>Owns one native faiss::Index; releasing it deletes the index.</summary>
internal sealed class FaissIndexHandle : SafeHandle
{
    public FaissIndexHandle() : base(nint.Zero, ownsHandle: true) { }

    internal FaissIndexHandle(nint handle) : base(nint.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.Free(handle);
        return true;
    }
}
