using FaceKit.Core.Errors;
using FaceKit.Inference;

namespace FaceKit.Evaluation.Extraction;

/// <summary>Evaluation's view of the pipeline: the largest face's template of an image, or why there is none.</summary>
public sealed class PipelineTemplateExtractor(FacePipeline pipeline, string modelId) : ITemplateExtractor
{
    public string ModelId => modelId;

    public string CacheKey => pipeline.ConfigurationId;

    public TemplateResult Extract(string imagePath)
    {
        try
        {
            return TemplateResult.Success(pipeline.AnalyzeLargest(imagePath).Embedding);
        }
        catch (FaceKitException e) when (e.Code == ErrorCode.NoFace)
        {
            return TemplateResult.Failed(TemplateFailureKind.NoFace, e.Message);
        }
        catch (FaceKitException e) when (e.Code == ErrorCode.BadInput)
        {
            return TemplateResult.Failed(TemplateFailureKind.BadImage, e.Message);
        }
    }
}
