namespace FaceKit.Testing;

/// <summary>A fact that needs ../shared/data; skipped with the reason when the folder is missing.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
    }
}

/// <summary>A theory that needs ../shared/data; skipped with the reason when the folder is missing.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
    }
}
