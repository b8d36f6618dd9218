using System.Numerics.Tensors;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;

namespace FaceKit.Gallery;

/// <summary>Templates checked and copied for storage: unit length, finite, with their optional image.</summary>
internal readonly record struct TemplateRows(string ModelId, float[] Vector, byte[]? Image)
{
    public static TemplateRows[] From(IReadOnlyList<Embedding> templates, IReadOnlyList<byte[]?>? images)
    {
        if (templates is null || templates.Count == 0) throw FaceKitException.BadInput("no templates to enroll");
        if (images is not null && images.Count != templates.Count)
            throw FaceKitException.BadInput($"{images.Count} images for {templates.Count} templates");

        var rows = new TemplateRows[templates.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var template = templates[i] ?? throw FaceKitException.BadInput($"template {i + 1} is missing");
            if (string.IsNullOrWhiteSpace(template.ModelId))
                throw FaceKitException.BadInput($"template {i + 1} names no model");
            // A copy, re-normalised: an Embedding built with normalize: false must not skew cosine.
            var vector = template.Vector.ToArray();
            Normalize(vector, $"template {i + 1}");
            rows[i] = new TemplateRows(template.ModelId, vector, images?[i]);
        }
        return rows;
    }

    public static void Normalize(Span<float> vector, string what)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (!float.IsFinite(norm)) throw FaceKitException.BadInput($"{what} holds non-finite values");
        if (norm == 0) throw FaceKitException.BadInput($"{what} is all zeros");
        TensorPrimitives.Divide(vector, norm, vector);
    }
}
