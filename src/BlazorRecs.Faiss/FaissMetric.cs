namespace BlazorRecs.Faiss;

/// <summary>The similarity an index ranks by; values are FAISS's own <c>MetricType</c>.</summary>
public enum FaissMetric
{
    /// <summary>Inner product: larger is more similar. On L2-normalised vectors this is the cosine.</summary>
    InnerProduct = 0,

    /// <summary>Squared Euclidean distance: smaller is more similar.</summary>
    L2 = 1,
}
