namespace BlazorRecs.Faiss;

/// <summary>A C++ exception raised inside FAISS (or an argument the shim refused), carrying FAISS's own message.</summary>
public class FaissException : Exception
{
    /// <inheritdoc />
    public FaissException() { }

    /// <inheritdoc />
    public FaissException(string message) : base(message) { }

    /// <inheritdoc />
    public FaissException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a failed native <paramref name="operation"/>.</summary>
    public FaissException(string operation, string faissMessage)
        : base($"FAISS {operation} failed: {faissMessage}")
    {
        Operation = operation;
        FaissMessage = faissMessage;
    }

    /// <summary>The shim operation that failed, for example <c>search</c>.</summary>
    public string? Operation { get; }

    /// <summary>The message of the native exception, verbatim.</summary>
    public string? FaissMessage { get; }
}

/// <summary>FAISS could not build an index from a factory description (unknown or inconsistent string).</summary>
public sealed class FaissFactoryException : FaissException
{
    /// <inheritdoc />
    public FaissFactoryException() { }

    /// <inheritdoc />
    public FaissFactoryException(string faissMessage) : base("index_factory", faissMessage) { }

    /// <inheritdoc />
    public FaissFactoryException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Vectors whose length does not match the index's dimension.</summary>
public sealed class FaissDimensionException : FaissException
{
    /// <inheritdoc />
    public FaissDimensionException() { }

    /// <inheritdoc />
    public FaissDimensionException(string message) : base(message) { }

    /// <inheritdoc />
    public FaissDimensionException(string message, Exception innerException) : base(message, innerException) { }
}
