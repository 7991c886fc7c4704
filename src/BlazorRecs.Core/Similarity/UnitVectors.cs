using System.Numerics.Tensors;
using BlazorRecs.Faiss;

namespace BlazorRecs.Core.Similarity;

/// <summary>Rows scaled to unit length, and the flat inner-product FAISS index that ranks them by cosine.</summary>
internal static class UnitVectors
{
    /// <summary>Scales <paramref name="vector"/> to unit length in place; a zero vector stays zero.</summary>
    public static void Normalise(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>A flat inner-product index of the row-major <paramref name="rows"/> (unit vectors, so its scores are
    /// cosines), each stored under its row number.</summary>
    public static FaissIndex FlatIndex(ReadOnlySpan<float> rows, int dimension)
    {
        int count = rows.Length / dimension;
        var index = FaissIndex.Create(dimension, "Flat", FaissMetric.InnerProduct);
        try
        {
            index.Add(rows, [.. Enumerable.Range(0, count).Select(i => (long)i)]);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }
}
